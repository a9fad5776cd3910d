// SPDX-License-Identifier: GPL-2.0
// refused: defer
package refused

func g() {}

func F() int {
	defer g()
	return 1
}
