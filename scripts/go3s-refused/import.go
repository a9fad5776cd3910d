// SPDX-License-Identifier: GPL-2.0
// refused: import "fmt"
package refused

import "fmt"

func F() {
	fmt.Println("hi")
}
