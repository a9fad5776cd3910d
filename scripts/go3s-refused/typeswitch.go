// SPDX-License-Identifier: GPL-2.0
// refused: interfaces (type assertions and type switches)
package refused

type T interface{ M() int }

func F(v T) int {
	switch x := v.(type) {
	case nil:
		return 0
	case interface{ N() int }:
		return x.N()
	}
	return 1
}
