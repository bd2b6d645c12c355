import DCTCCommands

await DCTCMain.run()
