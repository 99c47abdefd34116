-- Add resume templates
--
-- Built on a branch of its own, in parallel with the roles work.
--
-- Revision ID: 3c5e2a8f7d16
-- Revises: 1a0c4e5f9b21
-- Branch Labels: templates
-- Create Date: 2026-11-21 11:30:00+00:00

-- +upgrade
CREATE TABLE resume_templates (
    id integer PRIMARY KEY,
    name varchar(128) NOT NULL UNIQUE,
    body text NOT NULL,
    -- 'single-column', 'two-column'; a CHECK rather than an enum so that it
    -- works on SQLite too.
    layout varchar(32) NOT NULL DEFAULT 'single-column'
        CHECK (layout IN ('single-column', 'two-column')),
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO resume_templates (id, name, body) VALUES
    (1, 'classic', '{{ name }}; {{ headline }}');

-- +downgrade
DROP TABLE resume_templates;
