module sluice.local/bench/upstream

go 1.24
