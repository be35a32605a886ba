"""The core tables: accounts, projects and memberships, the audit log, stored files, and
background file work."""

from fieldwork.models.audit import AuditEntry
from fieldwork.models.files import StoredFile
from fieldwork.models.projects import ROLES, Membership, Project
from fieldwork.models.tasks import BackgroundTask
from fieldwork.models.users import User

__all__ = ["ROLES", "AuditEntry", "BackgroundTask", "Membership", "Project", "StoredFile", "User"]
