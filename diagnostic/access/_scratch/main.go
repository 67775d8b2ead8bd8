package main

import (
	"fmt"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

func main() {
	s, _ := snapshot.LoadEmbedded()
	cats := map[string]int{}
	for _, l := range s.Liberal { cats[l.Sheet+" | "+l.Category]++ }
	for k, v := range cats { fmt.Println(v, k) }
	for _, l := range s.Liberal { if (l.Dep=="75"||l.Dep=="92"||l.Dep=="93"||l.Dep=="94"||l.Dep=="06"||l.Dep=="") && (len(l.Category)>3 && (l.Category[:3]=="01-" || l.Category[:3]=="10-"|| l.Category[:2]=="1-")) { fmt.Printf("%+v\n", l) } }
	bpe := map[string]int{}
	for _, g := range s.GPs { if c := s.Commune(g.Code); c != nil { bpe[c.Dep] += g.Count } }
	fmt.Println(bpe["75"], bpe["92"], bpe["93"], bpe["94"], bpe["06"], bpe["13"], bpe["69"])
}
