// SPDX-License-Identifier: GPL-2.0
// refused: //extern printk
package refused

//extern printk
func printk(fmt *byte) int32

func F(b []byte) {
	printk(&b[0])
}
