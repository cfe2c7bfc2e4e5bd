"""Sign-in pages: phone + one-time code for everyone, phone + password for staff.

Where a user lands afterwards, signed in or out, is ``settings.LOGIN_REDIRECT_URL`` (首页): that
page belongs to an app above accounts, whose URL names accounts does not know.
"""

from django.conf import settings
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import CodeSignInForm, PasswordSignInForm, PhoneForm, form_error_from
from accounts.phone import mask_phone, normalize_phone
from accounts.send_limits import CodeRateLimited
from accounts.services import signin_code_send, signin_with_code, signin_with_password
from accounts.throttles import TokenIPThrottle
from core.errors import DomainError
from core.http import client_ip
from core.pages import safe_next

SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _after_sign_in(request) -> str:
    """Where sign-in leads: the ``next`` the page was asked for, if on this site; else home."""
    return safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL))


def _render_login(request, *, form, mode="code", sent_to=None, debug_code=None, status=200):
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "mode": mode,
            "next": _after_sign_in(request),
            "sent_to": sent_to,
            "debug_code": debug_code,
            "tab": "me",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def login_view(request):
    mode = "password" if (request.POST.get("mode") or request.GET.get("mode")) == "password" else "code"
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect(_after_sign_in(request))
        form = PasswordSignInForm() if mode == "password" else CodeSignInForm()
        return _render_login(request, form=form, mode=mode)

    form = PasswordSignInForm(request.POST) if mode == "password" else CodeSignInForm(request.POST)
    throttle = TokenIPThrottle()
    if not throttle.allow_request(request, None):
        form.is_valid()
        form.add_error(None, f"登录尝试过于频繁，请 {max(int(throttle.wait() or 60), 1)} 秒后再试。")
    elif form.is_valid():
        try:
            if mode == "password":
                user = signin_with_password(
                    phone=form.cleaned_data["phone"], password=form.cleaned_data["password"], request=request
                )
            else:
                user = signin_with_code(phone=form.cleaned_data["phone"], code=form.cleaned_data["code"])
        except DomainError as exc:
            form_error_from(form, exc)
        else:
            login(request, user, backend=SESSION_BACKEND)
            return redirect(_after_sign_in(request))
    return _render_login(request, form=form, mode=mode)


@require_POST
def send_code_view(request):
    """ "获取验证码": send a code, then show the same page ready for the code."""
    form = PhoneForm(request.POST)
    raw = (request.POST.get("phone") or "").strip()
    if not form.is_valid():
        return _render_login(request, form=_bound_with_error(raw, form.errors["phone"][0]))
    try:
        phone = normalize_phone(raw)
    except ValidationError as exc:
        return _render_login(request, form=_bound_with_error(raw, exc.messages[0]))

    # The service holds the limits, the same for page and API: switching between them gains nothing.
    try:
        code = signin_code_send(phone=phone, ip=client_ip(request))
    except CodeRateLimited as exc:
        return _render_login(request, form=_bound_with_error(raw, f"获取验证码过于频繁，请 {exc.wait} 秒后再试。"))
    except DomainError as exc:
        return _render_login(request, form=_bound_with_error(raw, exc.message))
    return _render_login(
        request,
        form=CodeSignInForm(initial={"phone": phone}),
        sent_to=mask_phone(phone),
        debug_code=code if settings.SIGNIN_SHOW_CODE else None,
    )


def _bound_with_error(phone: str, message: str) -> CodeSignInForm:
    """The code form with the phone kept and one error under it (and no complaint about the code)."""
    form = CodeSignInForm(data={"phone": phone, "code": "000000"})
    form.is_valid()
    form.errors.pop("phone", None)
    form.add_error("phone", message)
    return form


@require_POST
def logout_view(request):
    logout(request)
    # Not LOGOUT_REDIRECT_URL: setting that would also send the admin's sign-out away from its page.
    return redirect(settings.LOGIN_REDIRECT_URL)
