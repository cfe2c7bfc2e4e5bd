// The one file a deployment edits: where the server is and which mini program this is.
// The AppID must match project.config.json's "appid" ("touristappid" opens DevTools without one).
module.exports = {
  baseUrl: 'https://whistle.example.cn/api/v1/',
  appId: 'touristappid',
}
