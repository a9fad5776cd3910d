// SPDX-License-Identifier: GPL-2.0
// refused: rune conversions (string(r), []rune(s))
package refused

func F(r rune) string {
	return string(r)
}
