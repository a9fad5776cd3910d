// SPDX-License-Identifier: GPL-2.0
// refused: select {} (a goroutine that blocks forever)
package refused

func F() {
	select {}
}
