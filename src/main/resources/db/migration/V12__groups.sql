-- Groups, memberships and managers (#13). Flat groups: no nesting (docs/groups.md says why).
-- A group is soft-deleted like a user, so a revert can bring it back with its memberships.
CREATE TABLE user_group (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (name = btrim(name) AND length(name) BETWEEN 1 AND 255 AND name !~ '[[:cntrl:]]'),
    description text,
    external_id text,
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);
-- Names are unique whatever their case among live groups; the planner looks them up lowercased.
CREATE UNIQUE INDEX user_group_name_key ON user_group (lower(name)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX user_group_external_id_key ON user_group (external_id) WHERE external_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX user_group_name_search_idx ON user_group USING gin (lower(name) gin_trgm_ops);

-- Who is in which group. A membership change bumps the user's version (and the group's), so the
-- stale-plan check that compares user versions covers memberships too.
CREATE TABLE group_membership (
    group_id uuid NOT NULL REFERENCES user_group (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL REFERENCES directory_user (id) ON DELETE CASCADE,
    added_at timestamptz NOT NULL DEFAULT now(),
    added_by text,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_membership_user_idx ON group_membership (user_id, group_id);

-- A user's manager is another directory user; a manager change bumps the user's version.
ALTER TABLE directory_user ADD COLUMN manager_id uuid REFERENCES directory_user (id) ON DELETE SET NULL
    CHECK (manager_id <> id);
CREATE INDEX directory_user_manager_idx ON directory_user (manager_id) WHERE manager_id IS NOT NULL;
