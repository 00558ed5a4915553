// The strings of the deployed sign-in (oidc.js), added to the shared tables
// as strings.js is.

/** @type {{zh: Record<string, string>, en: Record<string, string>}} */
export const oidcStrings = {
  zh: {
    'oidc.intro': '工作人员请使用统一身份认证账号登录。登录后将回到本页。',
    'oidc.start': '使用统一身份认证登录',
    'oidc.redirecting': '正在前往统一身份认证…',
    'oidc.finishing': '正在完成登录…',
    'oidc.notConfigured': '本站点尚未配置工作人员登录，请联系系统管理员。',
    'oidc.error.state': '登录未能完成：返回的登录请求不是本页发起的，或已过期（例如在其他窗口发起或等待过久）。请重新登录。',
    'oidc.error.denied': '登录已取消，或您的账号无权使用工作台。如需开通，请联系系统管理员。',
    'oidc.error.provider': '统一身份认证未能完成登录（{0}）。请重新登录；如仍失败，请联系系统管理员。',
    'oidc.error.token': '统一身份认证拒绝了本次登录（{0}）。请重新登录。',
    'oidc.error.network': '无法连接统一身份认证服务，请检查网络后重新登录。',
    'oidc.error.badToken': '统一身份认证返回的登录凭据无法识别。请重新登录；如仍失败，请联系系统管理员。',
    'oidc.error.noRole': '您的账号尚未分配工作台角色（话务员、承办单位、督办人员或管理员），请联系系统管理员开通。',
    'oidc.error.noDept': '您的账号是承办单位角色，但未指定所属承办单位，请联系系统管理员。',
    'oidc.error.expired': '登录凭据已过期，请重新登录。',
    'oidc.error.browser': '此浏览器不支持安全登录所需的功能，请使用最新版的浏览器登录。',
  },
  en: {
    'oidc.intro': 'Staff sign in with their organisation account. You come back to this page afterwards.',
    'oidc.start': 'Sign in with your organisation account',
    'oidc.redirecting': 'Going to the sign-in service…',
    'oidc.finishing': 'Finishing the sign-in…',
    'oidc.notConfigured': 'Staff sign-in is not set up for this site yet; please contact the system administrator.',
    'oidc.error.state': 'The sign-in could not be completed: it was not started from this page or took too long (for example, it was started in another window). Please sign in again.',
    'oidc.error.denied': 'The sign-in was cancelled, or your account may not use the console. Ask the system administrator for access.',
    'oidc.error.provider': 'The sign-in service could not sign you in ({0}). Please try again; if it keeps failing, contact the system administrator.',
    'oidc.error.token': 'The sign-in service refused this sign-in ({0}). Please sign in again.',
    'oidc.error.network': 'The sign-in service cannot be reached; check your connection and sign in again.',
    'oidc.error.badToken': 'The sign-in service sent credentials the console cannot read. Please try again; if it keeps failing, contact the system administrator.',
    'oidc.error.noRole': 'Your account has no console role (operator, department, supervisor or admin); ask the system administrator to give you one.',
    'oidc.error.noDept': 'Your account has the department role but names no department; please contact the system administrator.',
    'oidc.error.expired': 'Your sign-in has already expired; please sign in again.',
    'oidc.error.browser': 'This browser lacks what a secure sign-in needs; please use an up-to-date browser.',
  },
};
