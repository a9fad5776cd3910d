// SPDX-License-Identifier: GPL-2.0
// refused: import "unsafe"
package refused

import "unsafe"

func F(p *int) uintptr {
	return uintptr(unsafe.Pointer(p))
}
