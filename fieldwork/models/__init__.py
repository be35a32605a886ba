"""The core tables: accounts, projects and memberships, the audit log, stored files."""

from fieldwork.models.audit import AuditEntry
from fieldwork.models.files import StoredFile
from fieldwork.models.projects import ROLES, Membership, Project
from fieldwork.models.users import User

__all__ = ["ROLES", "AuditEntry", "Membership", "Project", "StoredFile", "User"]
