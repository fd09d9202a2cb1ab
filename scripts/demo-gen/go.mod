module pyrofs/demogen

go 1.19
