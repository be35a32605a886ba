from flask import Blueprint

from fieldwork.accounts import sessions, twofactor_views, views
from fieldwork.extensions import login_manager
from fieldwork.features import Feature, NavItem

login_manager.user_loader(sessions.load_user)
login_manager.login_view = "accounts.login"
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "info"

bp = Blueprint("accounts", __name__)
bp.before_app_request(sessions.keep_alive)
bp.before_app_request(views.require_two_factor_setup)

bp.add_url_rule("/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/login/code", view_func=views.login_code, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
bp.add_url_rule("/account", view_func=views.profile, methods=["GET", "POST"])
bp.add_url_rule("/account/password", view_func=views.password, methods=["GET", "POST"])
bp.add_url_rule("/account/sessions/end", view_func=views.end_session, methods=["POST"])
bp.add_url_rule("/account/sessions/end-others", view_func=views.end_other_sessions,
                methods=["POST"])
bp.add_url_rule("/account/two-factor", view_func=twofactor_views.two_factor,
                methods=["GET", "POST"])
bp.add_url_rule("/account/two-factor/off", view_func=twofactor_views.two_factor_off,
                methods=["POST"])
bp.add_url_rule("/account/two-factor/codes", view_func=twofactor_views.new_recovery_codes,
                methods=["POST"])
bp.add_url_rule("/admin/users", view_func=views.user_list)
bp.add_url_rule("/admin/users/new", view_func=views.user_new, methods=["GET", "POST"])
bp.add_url_rule("/admin/users/<int:user_id>", view_func=views.user_edit, methods=["GET", "POST"])
bp.add_url_rule("/admin/users/<int:user_id>/sessions/end", view_func=views.user_end_sessions,
                methods=["POST"])
bp.add_url_rule("/admin/users/<int:user_id>/two-factor/reset",
                view_func=views.user_reset_two_factor, methods=["POST"])

feature = Feature(name="accounts", blueprint=bp, nav=(NavItem("Projects", "projects.index"),))
