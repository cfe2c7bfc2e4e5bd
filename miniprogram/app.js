const privacy = require('./utils/privacy')

App({
  onLaunch() {
    // WeChat asks for the privacy agreement the first time a private API (location, album,
    // clipboard) is called; the pages show it through utils/privacy.
    privacy.listen()
  },
})
