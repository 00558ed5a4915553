// Every string the pages show, one table per language. Chinese is the default;
// the choice is remembered in localStorage and the API's Accept-Language
// follows it.

/** @typedef {'zh' | 'en'} Lang */

/** @type {Record<Lang, Record<string, string>>} */
export const strings = {
  zh: {
    'title': '12345 政务服务便民热线',
    'subtitle': '网上提交投诉、咨询、建议，查询办理进度',
    'switch': 'English',
    'switch.label': 'Switch to English',
    'tab.file': '我要反映',
    'tab.lookup': '查询工单',
    'verify.heading': '第一步：验证联系方式',
    'verify.hint': '验证码将发送到您的手机或邮箱，30 分钟内有效。',
    'verify.contact': '手机号或电子邮箱',
    'verify.send': '发送验证码',
    'verify.sent': '验证码已发送到 {0}，请查收。',
    'verify.code': '6 位验证码',
    'verify.next': '下一步',
    'verify.needCode': '请输入 6 位数字验证码。',
    'verify.needContact': '请输入手机号或电子邮箱。',
    'verify.change': '更换联系方式',
    'file.heading': '第二步：填写诉求',
    'file.type': '诉求类型',
    'type.complaint': '投诉',
    'type.consultation': '咨询',
    'type.suggestion': '建议',
    'type.report': '举报',
    'type.help': '求助',
    'type.praise': '表扬',
    'file.category': '问题分类',
    'file.category.none': '不确定，由工作人员判断',
    'file.region': '所在区域',
    'file.region.none': '请选择（可不选）',
    'file.address': '详细地址（可不填）',
    'file.unit': '涉及单位（可不填）',
    'file.name': '您的称呼（可不填）',
    'file.content': '具体内容',
    'file.content.hint': '请写清时间、地点、经过和您的诉求，10 至 5000 字。',
    'file.submit': '提交',
    'file.sending': '正在提交…',
    'receipt.heading': '已受理',
    'receipt.id': '工单编号',
    'receipt.code': '查询码',
    'receipt.keep': '请记下或截图保存工单编号和查询码：查询码只显示这一次，查询进度、补充材料、撤回和评价都要用到它。',
    'receipt.view': '查看工单',
    'receipt.another': '再反映一件',
    'lookup.heading': '查询工单',
    'lookup.id': '工单编号',
    'lookup.code': '查询码',
    'lookup.submit': '查询',
    'lookup.notFound': '没有找到该工单：请核对工单编号和查询码。',
    'ticket.heading': '工单 {0}',
    'ticket.status': '状态',
    'ticket.type': '类型',
    'ticket.category': '分类',
    'ticket.department': '承办单位',
    'ticket.deadline': '答复期限',
    'ticket.filed': '提交时间',
    'ticket.reply': '部门答复',
    'ticket.answer': '答复',
    'ticket.notice': '提示',
    'ticket.timeline': '办理过程',
    'ticket.refresh': '刷新',
    'files.label': '照片或文件（最多9个）',
    'files.hint': '可上传 JPG、PNG、HEIC、WebP 照片或 PDF 文件，每个不超过 20 MB。照片中的位置等信息会被去除。',
    'files.tooLarge': '文件太大：每个文件不超过 20 MB。',
    'files.notAccepted': '不支持这种文件：请上传 JPG、PNG、HEIC、WebP 照片或 PDF。',
    'files.tooMany': '最多上传 {0} 个文件，此文件未上传。',
    'files.empty': '这是一个空文件。',
    'files.photo': '照片 {0}',
    'files.photoBadge': '图',
    'files.document': '文件',
    'files.uploading': '正在上传 {0}',
    'files.state.uploading': '正在上传',
    'files.state.checking': '正在检查…',
    'files.state.ready': '可以提交',
    'files.remove': '移除',
    'files.removeNamed': '移除 {0}',
    'files.waiting': '正在等待文件上传完成…',
    'files.stale': '文件链接已过期，已重新加载，请再点一次。',
    'ticket.files': '照片和文件',
    'supplement.heading': '补充材料',
    'supplement.content': '补充内容',
    'supplement.submit': '提交补充',
    'supplement.done': '补充材料已提交。',
    'withdraw.heading': '撤回工单',
    'withdraw.reason': '撤回原因',
    'withdraw.submit': '撤回',
    'withdraw.confirm': '撤回后工单将不再办理，确定撤回吗？',
    'withdraw.yes': '确定撤回',
    'withdraw.done': '工单已撤回。',
    'rate.heading': '评价',
    'rate.score': '评分（1–5 分）',
    'rate.satisfied': '您对办理结果是否满意？',
    'rate.yes': '满意',
    'rate.no': '不满意',
    'rate.resolved': '问题已解决',
    'rate.comment': '意见（可不填）',
    'rate.submit': '提交评价',
    'rate.done': '感谢您的评价。',
    'rate.reopened': '感谢您的评价，工单已重新办理。',
    'error.network': '无法连接服务器，请检查网络后重试。',
    'error.generic': '出错了，请稍后重试。',
    'loading': '加载中…',
    'status.received': '已受理',
    'status.in_review': '审核中',
    'status.rejected': '不予受理',
    'status.merged': '已合并',
    'status.answered': '已答复',
    'status.dispatched': '已派单',
    'status.accepted': '办理中',
    'status.reassigning': '重新派单中',
    'status.replied': '部门已答复',
    'status.closed': '已办结',
    'status.withdrawn': '已撤回',
  },
  en: {
    'title': '12345 Government Service Hotline',
    'subtitle': 'File a complaint, question or suggestion online and follow it',
    'switch': '中文',
    'switch.label': '切换到中文',
    'tab.file': 'File a request',
    'tab.lookup': 'Look up a ticket',
    'verify.heading': 'Step 1: verify your contact',
    'verify.hint': 'We send a code to your phone or e-mail; it is valid for 30 minutes.',
    'verify.contact': 'Mobile number or e-mail address',
    'verify.send': 'Send code',
    'verify.sent': 'A code was sent to {0}.',
    'verify.code': '6-digit code',
    'verify.next': 'Next',
    'verify.needCode': 'Enter the 6-digit code.',
    'verify.needContact': 'Enter a mobile number or an e-mail address.',
    'verify.change': 'Use another contact',
    'file.heading': 'Step 2: your request',
    'file.type': 'Kind of request',
    'type.complaint': 'Complaint',
    'type.consultation': 'Question',
    'type.suggestion': 'Suggestion',
    'type.report': 'Report',
    'type.help': 'Help',
    'type.praise': 'Praise',
    'file.category': 'Category',
    'file.category.none': 'Not sure: let the hotline decide',
    'file.region': 'District',
    'file.region.none': 'Choose (optional)',
    'file.address': 'Address (optional)',
    'file.unit': 'Organisation concerned (optional)',
    'file.name': 'Your name (optional)',
    'file.content': 'What happened',
    'file.content.hint': 'When, where, what happened and what you ask for; 10 to 5,000 characters.',
    'file.submit': 'Submit',
    'file.sending': 'Submitting…',
    'receipt.heading': 'Received',
    'receipt.id': 'Ticket number',
    'receipt.code': 'Access code',
    'receipt.keep': 'Keep the ticket number and access code (write them down or take a screenshot): the code is shown only this once, and you need it to follow, add to, withdraw or rate the ticket.',
    'receipt.view': 'View the ticket',
    'receipt.another': 'File another',
    'lookup.heading': 'Look up a ticket',
    'lookup.id': 'Ticket number',
    'lookup.code': 'Access code',
    'lookup.submit': 'Look up',
    'lookup.notFound': 'No ticket was found: check the ticket number and the access code.',
    'ticket.heading': 'Ticket {0}',
    'ticket.status': 'Status',
    'ticket.type': 'Kind',
    'ticket.category': 'Category',
    'ticket.department': 'Handled by',
    'ticket.deadline': 'Reply due',
    'ticket.filed': 'Filed',
    'ticket.reply': 'Reply',
    'ticket.answer': 'Answer',
    'ticket.notice': 'Notice',
    'ticket.timeline': 'History',
    'ticket.refresh': 'Refresh',
    'files.label': 'Photos or files (up to 9)',
    'files.hint': 'JPG, PNG, HEIC or WebP photos, or PDF files, up to 20 MB each. Location and camera details are removed from photos.',
    'files.tooLarge': 'This file is too large: at most 20 MB each.',
    'files.notAccepted': 'This kind of file is not accepted: send JPG, PNG, HEIC or WebP photos, or PDF.',
    'files.tooMany': 'At most {0} files: this one was not uploaded.',
    'files.empty': 'This file is empty.',
    'files.photo': 'Photo {0}',
    'files.photoBadge': 'IMG',
    'files.document': 'File',
    'files.uploading': 'Uploading {0}',
    'files.state.uploading': 'Uploading',
    'files.state.checking': 'Checking…',
    'files.state.ready': 'Ready',
    'files.remove': 'Remove',
    'files.removeNamed': 'Remove {0}',
    'files.waiting': 'Waiting for the files to finish uploading…',
    'files.stale': 'The file links had expired and were renewed: click again.',
    'ticket.files': 'Photos and files',
    'supplement.heading': 'Add information',
    'supplement.content': 'More information',
    'supplement.submit': 'Add',
    'supplement.done': 'Your information was added.',
    'withdraw.heading': 'Withdraw the ticket',
    'withdraw.reason': 'Why',
    'withdraw.submit': 'Withdraw',
    'withdraw.confirm': 'A withdrawn ticket is no longer handled. Withdraw it?',
    'withdraw.yes': 'Yes, withdraw it',
    'withdraw.done': 'The ticket is withdrawn.',
    'rate.heading': 'Rate the answer',
    'rate.score': 'Score (1–5)',
    'rate.satisfied': 'Are you satisfied with the result?',
    'rate.yes': 'Satisfied',
    'rate.no': 'Not satisfied',
    'rate.resolved': 'The problem is solved',
    'rate.comment': 'Comment (optional)',
    'rate.submit': 'Send rating',
    'rate.done': 'Thank you for your rating.',
    'rate.reopened': 'Thank you: the ticket is being handled again.',
    'error.network': 'The server cannot be reached; check your connection and try again.',
    'error.generic': 'Something went wrong; please try again later.',
    'loading': 'Loading…',
    'status.received': 'Received',
    'status.in_review': 'Being reviewed',
    'status.rejected': 'Not accepted',
    'status.merged': 'Merged',
    'status.answered': 'Answered',
    'status.dispatched': 'Sent to a department',
    'status.accepted': 'Being handled',
    'status.reassigning': 'Being reassigned',
    'status.replied': 'Replied',
    'status.closed': 'Closed',
    'status.withdrawn': 'Withdrawn',
  },
};

const KEY = 'hotline.lang';

/** @returns {Lang} */
export function lang() {
  let saved = null;
  try {
    saved = localStorage.getItem(KEY);
  } catch {
    // Storage can be off (private mode); Chinese then.
  }
  return saved === 'en' ? 'en' : 'zh';
}

/** @param {Lang} l */
export function setLang(l) {
  try {
    localStorage.setItem(KEY, l);
  } catch {
    // Not remembered, still switched for this page.
  }
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

/**
 * The string for key in the current language, {0}, {1}… replaced by args.
 * @param {string} key
 * @param {...string} args
 * @returns {string}
 */
export function t(key, ...args) {
  const s = strings[lang()][key] ?? strings.zh[key] ?? key;
  return s.replace(/\{(\d)\}/g, (_, i) => args[Number(i)] ?? '');
}

/**
 * Fills every element with data-i18n (its text) or data-i18n-placeholder.
 * @param {ParentNode} root
 */
export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(/** @type {HTMLElement} */ (el).dataset.i18n || '');
  }
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(/** @type {HTMLElement} */ (el).dataset.i18nLabel || ''));
  }
}
