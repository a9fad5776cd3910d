// SPDX-License-Identifier: GPL-2.0
// refused: string concatenation (s + t)
package refused

func F(s, t string) string {
	return s + t
}
