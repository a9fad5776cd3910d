// SPDX-License-Identifier: GPL-2.0
// refused: floating point
package refused

func F(a int) int {
	x := float64(a)
	return int(x * 1.5)
}
