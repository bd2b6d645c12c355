print("dctc")
