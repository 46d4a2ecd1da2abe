module sluice.local/bench/goplugin

go 1.24
