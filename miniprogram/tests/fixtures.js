// Answers shaped as the API gives them (the fields the pages read).
const me = (extra) =>
  Object.assign(
    {
      user: { id: 1, phone: '13800000001', name: '李居民', is_staff: false },
      member: null,
      posts: [],
      active_registration: null,
      unread_count: 0,
      subscribe_template_ids: ['tmpl-progress'],
    },
    extra || {}
  )
const request = (extra) =>
  Object.assign(
    {
      id: 7, title: '楼道灯不亮', description: '3 栋 2 单元楼道灯坏了', duty: 'convenience', duty_label: '便民服务',
      status: 'submitted', status_label: '待审核', community_name: '工业中社区', address: '3 栋 2 单元',
      requester_name: '李居民', is_mine: true, task_id: null, task_title: null, reject_reason: '',
      photos: [], events: [{ from_status: '', to_status: 'submitted', actor_name: '李居民', note: '提交点单', created_at: '2026-11-30T09:00:00+08:00' }],
      feedback: null, liked_member_ids: [], served_members: [], created_at: '2026-11-30T09:00:00+08:00',
    },
    extra || {}
  )
const task = (extra) =>
  Object.assign(
    {
      id: 3, title: '帮独居老人换灯泡', description: '带梯子', duty_label: '便民服务', status: 'open', status_label: '招募中',
      community_name: '工业中社区', address: '3 栋', starts_at: '2026-12-01T18:00:00+08:00', ends_at: '2026-12-01T20:00:00+08:00',
      slots: 2, taken: 0, slots_left: 2, warning: '', distance_m: 420,
    },
    extra || {}
  )
const acceptance = (extra) => Object.assign({ id: 11, task: 3, status: 'accepted', status_label: '已接单' }, extra || {})
module.exports = { me, request, task, acceptance }
