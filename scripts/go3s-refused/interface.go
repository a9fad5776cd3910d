// SPDX-License-Identifier: GPL-2.0
// refused: interfaces (comparing interface values)
package refused

func F(a, b interface{}) bool {
	return a == b
}
