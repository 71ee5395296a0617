bandwidth = 20
