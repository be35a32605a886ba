"""The core tables: accounts and their sign-in sessions, projects and memberships, the audit
log, stored files, and background file work."""

from fieldwork.models.audit import AuditEntry
from fieldwork.models.files import StoredFile
from fieldwork.models.projects import ROLE_LABELS, ROLES, Membership, Project
from fieldwork.models.sessions import LoginFailure, UserSession
from fieldwork.models.tasks import BackgroundTask, ImportLock
from fieldwork.models.users import RecoveryCode, User

__all__ = [
    "ROLES", "ROLE_LABELS", "AuditEntry", "BackgroundTask", "ImportLock", "LoginFailure",
    "Membership", "Project", "RecoveryCode", "StoredFile", "User", "UserSession",
]
