from flask import Blueprint

from fieldwork.accounts import views
from fieldwork.accounts.accounts import load_user
from fieldwork.extensions import login_manager
from fieldwork.features import Feature, NavItem

login_manager.user_loader(load_user)
login_manager.login_view = "accounts.login"
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "info"

bp = Blueprint("accounts", __name__)

bp.add_url_rule("/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
bp.add_url_rule("/account", view_func=views.profile, methods=["GET", "POST"])
bp.add_url_rule("/account/password", view_func=views.password, methods=["GET", "POST"])
bp.add_url_rule("/admin/users", view_func=views.user_list)
bp.add_url_rule("/admin/users/new", view_func=views.user_new, methods=["GET", "POST"])
bp.add_url_rule("/admin/users/<int:user_id>", view_func=views.user_edit, methods=["GET", "POST"])

feature = Feature(name="accounts", blueprint=bp, nav=(NavItem("Projects", "projects.index"),))
