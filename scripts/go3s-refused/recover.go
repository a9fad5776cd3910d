// SPDX-License-Identifier: GPL-2.0
// refused: recover
package refused

func F() bool {
	return recover() == nil
}
