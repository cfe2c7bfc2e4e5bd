// End to end through the mini program's own request layer (utils/api.js) against a live server:
// a resident signs in with wx.login (binding a phone on first use), orders with a GCJ-02 location
// and a photo; the secretary approves; a member finds the task in the hall, accepts, agrees to
// location processing and checks in and out from GCJ-02 coordinates; the secretary completes the
// task; the resident rates and likes the member. Prints what it saw as JSON; exits 1 on a failure.
const { makeWx } = require('./wx-node')
const config = require('../../config')

config.baseUrl = process.env.BASE_URL
const api = require('../../utils/api')
const env = process.env
const phones = {
  resident: makeWx(env.RESIDENT_CODE),
  secretary: makeWx(env.SECRETARY_CODE),
  member: makeWx(env.MEMBER_CODE),
}
function as(who) {
  global.wx = phones[who]
}
const gcj = (prefix) => ({ lat: Number(env[prefix + '_LAT']), lng: Number(env[prefix + '_LNG']), coord_system: 'gcj02' })

async function main() {
  const seen = {}

  // The resident: first use, so WeChat sign-in asks for a phone, bound with a one-time code.
  as('resident')
  try {
    await api.signIn()
    throw new Error('expected bind_required')
  } catch (err) {
    if (err.code !== 'bind_required') throw err
    seen.bind_required = err.message
    const sent = await api.sendCode(env.RESIDENT_PHONE)
    await api.bindPhone({ ticket: err.data.ticket, phone: env.RESIDENT_PHONE, code: sent.debug_code })
  }
  const me = await api.get('me/')
  seen.resident_name = me.user.name
  const place = gcj('PLACE')
  const created = await api.post('requests/', {
    duty: 'convenience', title: '楼道灯不亮', description: '3 栋 2 单元楼道灯坏了一周', address: '工业中社区 3 栋 2 单元',
    lat: place.lat, lng: place.lng, coord_system: place.coord_system,
  })
  seen.request_id = created.id
  seen.community = created.community_name
  const withPhoto = await api.upload('requests/' + created.id + '/photos/', env.PHOTO, 'photo')
  seen.photos = withPhoto.photos.length

  // A stale token: the layer signs in again with wx.login and retries once.
  api.setToken('stale-token')
  seen.after_401 = (await api.get('requests/' + created.id + '/')).status

  // The secretary's daily review.
  as('secretary')
  await api.signIn()
  const review = await api.get('requests/', { box: 'review' })
  seen.in_review = review.results.map((r) => r.id)
  const approved = await api.post('requests/' + created.id + '/approve/', { starts_at: env.STARTS_AT, ends_at: env.ENDS_AT, slots: 2 })
  seen.approved = approved.status
  const taskId = approved.task_id

  // The member: the hall near me, accept, consent, check in from GCJ-02, check out.
  as('member')
  await api.signIn()
  const here = gcj('HERE')
  const hall = await api.get('tasks/hall/', { lat: here.lat, lng: here.lng, coord_system: here.coord_system })
  seen.hall = hall.results.map((t) => t.id)
  const accepted = await api.post('tasks/' + taskId + '/accept/')
  try {
    await api.post('acceptances/' + accepted.id + '/check-in/', here)
    throw new Error('expected consent_required')
  } catch (err) {
    if (!err.status) throw err
    seen.before_consent = { status: err.status, code: err.code, message: err.message }
  }
  await api.post('location-consent/')
  const inside = await api.post('acceptances/' + accepted.id + '/check-in/', here)
  seen.checked_in = inside.status
  const out = await api.post('acceptances/' + accepted.id + '/check-out/')
  seen.checked_out = out.status

  as('secretary')
  const done = await api.post('tasks/' + taskId + '/complete/')
  seen.task = done.status

  // The resident: sees who served, confirms, rates and likes.
  as('resident')
  const detail = await api.get('requests/' + created.id + '/')
  seen.resolved = detail.status
  seen.served = detail.served_members
  const rated = await api.post('requests/' + created.id + '/rate/', {
    score: 5, comment: '很及时，谢谢', liked_members: detail.served_members.map((m) => m.member_id),
  })
  seen.rated = rated.status
  seen.liked = rated.liked_member_ids
  return seen
}

main().then(
  (seen) => {
    process.stdout.write(JSON.stringify(seen))
  },
  (err) => {
    process.stdout.write(JSON.stringify({ error: err.message, status: err.status, code: err.code, data: err.data }))
    process.exit(1)
  }
)
