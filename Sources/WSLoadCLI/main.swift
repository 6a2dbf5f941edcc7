import WSLoad
print(WSLoadVersion.string)
