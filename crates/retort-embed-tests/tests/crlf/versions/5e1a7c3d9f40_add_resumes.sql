-- Add resumes
--
-- Revision ID: 5e1a7c3d9f40
-- Revises: 4d8f6b1a2c39
-- Create Date: 2026-11-23 14:45:00+00:00

-- +upgrade
CREATE TABLE resumes (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    template_id integer NOT NULL REFERENCES resume_templates (id),
    title varchar(255) NOT NULL,
    content text NOT NULL DEFAULT '',
    is_public boolean NOT NULL DEFAULT false,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_resumes_user_id ON resumes (user_id);

-- +downgrade
DROP INDEX idx_resumes_user_id;
DROP TABLE resumes;
