"""Words for a generated year of activity: task and request titles per duty, places, reasons."""

from grids.vocab import Duty, Focus

TASK_TITLES = {
    Duty.PARTY_GUIDANCE: [
        "主题党日活动协助", "党员政治生日会布置", "小区党支部组织生活会记录", "党建阵地资料整理",
        "红色教育讲解志愿服务", "楼栋党小组学习会",
    ],
    Duty.POLICY_PUBLICITY: [
        "医保参保政策入户宣传", "防范电信诈骗宣传", "垃圾分类政策宣讲", "反邪教知识宣传",
        "养老服务政策解读", "消防安全知识进楼栋", "民法典宣传进社区",
    ],
    Duty.AFFAIRS_COORDINATION: [
        "小区停车矛盾协调", "加装电梯意见征集", "邻里纠纷调解", "物业服务满意度走访",
        "老旧小区改造意见收集", "居民议事会服务",
    ],
    Duty.CIVILITY: [
        "文明劝导志愿服务", "移风易俗宣传", "文明交通劝导", "公共场所文明引导",
        "创文入户宣传", "文明餐桌倡议",
    ],
    Duty.SANITATION: [
        "小区环境大扫除", "清理楼道杂物", "河道沿岸垃圾清理", "背街小巷卫生整治",
        "清理小广告", "病媒生物防制", "绿化带白色垃圾捡拾",
    ],
    Duty.SAFETY: [
        "夜间治安巡逻", "护学岗值守", "消防通道排查", "电动车违规充电排查",
        "汛期隐患巡查", "独居老人安全走访", "燃气安全入户检查",
    ],
    Duty.CONVENIENCE: [
        "义诊健康咨询", "免费理发服务", "家电义务维修", "法律咨询进社区",
        "老年人智能手机教学", "代办代缴便民服务", "助老助餐送餐",
    ],
    Duty.POVERTY_RELIEF: [
        "困难家庭走访慰问", "留守儿童课业辅导", "残疾人家庭帮扶", "独居老人陪伴关爱",
        "爱心物资分发", "困难群众就业帮扶",
    ],
}  # fmt: skip

# The focus a duty mostly serves (the rest of the time any of the three).
DUTY_FOCUS = {
    Duty.PARTY_GUIDANCE: Focus.PARTY_BUILDING,
    Duty.POLICY_PUBLICITY: Focus.PARTY_BUILDING,
    Duty.AFFAIRS_COORDINATION: Focus.GOVERNANCE,
    Duty.CIVILITY: Focus.GOVERNANCE,
    Duty.SANITATION: Focus.GOVERNANCE,
    Duty.SAFETY: Focus.GOVERNANCE,
    Duty.CONVENIENCE: Focus.SERVICE,
    Duty.POVERTY_RELIEF: Focus.SERVICE,
}
# How often each duty comes up (sanitation, safety and convenience most).
DUTY_WEIGHTS = {
    Duty.PARTY_GUIDANCE: 8, Duty.POLICY_PUBLICITY: 12, Duty.AFFAIRS_COORDINATION: 10, Duty.CIVILITY: 12,
    Duty.SANITATION: 18, Duty.SAFETY: 16, Duty.CONVENIENCE: 16, Duty.POVERTY_RELIEF: 8,
}  # fmt: skip

PLACES = [
    "党群服务中心", "社区广场", "小区中心花园", "社区活动室", "新时代文明实践站", "社区卫生服务站门口",
    "小学校门口", "农贸市场入口", "老旧小区楼栋", "社区文化长廊", "河堤步道", "居民小组议事亭",
]  # fmt: skip

REQUEST_TITLES = {
    Duty.PARTY_GUIDANCE: ["希望帮助小区成立党小组", "请党员指导楼栋党员学习"],
    Duty.POLICY_PUBLICITY: ["想了解医保报销政策", "希望有人讲讲养老金调整", "老人不会办社保认证"],
    Duty.AFFAIRS_COORDINATION: ["楼上漏水邻居不处理", "小区乱停车堵住通道", "加装电梯意见不一致"],
    Duty.CIVILITY: ["小区有人高空抛物", "广场舞噪音太大", "楼道有人养狗不拴绳"],
    Duty.SANITATION: ["楼道堆放杂物", "小区垃圾清运不及时", "巷子里有积水发臭", "绿化带垃圾很多"],
    Duty.SAFETY: ["楼道有电动车充电", "路灯坏了晚上很黑", "消防通道被占用", "井盖松动有危险"],
    Duty.CONVENIENCE: ["独居老人需要代买药品", "家里电路老化想请人看看", "老人想学用智能手机", "需要帮忙代办证件"],
    Duty.POVERTY_RELIEF: ["困难家庭孩子需要辅导功课", "邻居老人生病无人照顾", "残疾人家庭需要帮扶"],
}  # fmt: skip

CANCEL_REASONS = ["天气原因（暴雨预警）取消", "场地临时占用，改期举行", "上级统一安排调整，活动取消"]
REJECT_REASONS = ["不属于社区服务范围，已告知向相关部门反映", "信息不全，无法核实", "已由物业处理完毕"]
RECORD_REJECT_REASONS = ["签到后离开服务现场，不予认定", "未参加实际服务，不予认定"]
CORRECTION_REASONS = ["提前离开，按实际服务时长认定", "中途离开约半小时，按实际时长认定"]
ESCALATION_REASONS = [
    "涉及多个部门职责，社区无法单独解决",
    "违章搭建需执法部门处理",
    "小区排水管网改造超出社区能力",
    "群租房消防隐患需联合整治",
]  # fmt: skip
ESCALATION_OUTCOMES = [
    "联席会议会商后由住建牵头整改，已完成",
    "相关部门联合执法，问题已解决",
    "已纳入街道年度改造计划并完成施工",
]  # fmt: skip
DEPARTMENT_RESPONSES = ["已派员现场核查并提出整改意见", "已安排专人跟进办理", "已协调资金和施工队伍"]
FEEDBACK_COMMENTS = {
    5: ["非常满意，党员同志很热心", "问题解决得又快又好", "感谢社区和党员志愿者", "服务周到，点赞"],
    4: ["比较满意", "问题解决了，就是等得有点久", "服务不错"],
    3: ["一般，希望下次更及时", "问题基本解决"],
    2: ["处理得比较慢"],
    1: ["问题没有根本解决"],
}  # fmt: skip
# Departments if the joint-meeting data migration has not seeded any.
DEPARTMENTS = ["政法", "住建", "公安", "民政", "自然资源", "消防", "工青妇"]
