module sluice/regex-oracle

go 1.21
