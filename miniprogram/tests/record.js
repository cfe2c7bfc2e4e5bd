// With MP_CALLS_DIR set (the contract test in tests/miniprogram/ of the Django suite sets it), every
// call the pages made in this test file is written out, to be checked against the OpenAPI schema.
const fs = require('fs')
const path = require('path')

afterAll(() => {
  const dir = process.env.MP_CALLS_DIR
  if (!dir) return
  const name = path.basename(expect.getState().testPath) + '.json'
  fs.writeFileSync(path.join(dir, name), JSON.stringify(wx.__log))
})
