module bpflame-demo

go 1.19
