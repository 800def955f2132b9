-- Groups pages and API (#13, docs/groups.md).

-- A group's history on its page: the audit events whose details name the group. details is text (hashed byte for
-- byte), so the index holds the parsed id; only group and membership events are parsed and indexed, so other
-- appends pay nothing. AuditFilter's group filter repeats this action list so that the planner can use the index.
CREATE INDEX audit_event_group_idx ON audit_event (((details::jsonb) ->> 'groupId'), seq)
    WHERE action IN ('group.created', 'group.updated', 'group.deleted', 'group.restored',
                     'membership.added', 'membership.removed');

-- Deleted users never count as members: a count of a group's members is its memberships minus those of deleted
-- users, an anti-join this small index serves however large the group.
CREATE INDEX directory_user_status_deleted_idx ON directory_user (id) WHERE status = 'DELETED';
