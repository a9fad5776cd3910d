// SPDX-License-Identifier: GPL-2.0
// refused: maps
package refused

func F(k int) int {
	m := make(map[int]int)
	m[k] = 1
	return m[k]
}
