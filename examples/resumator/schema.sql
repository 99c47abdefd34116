-- The resume service's desired schema (what the revisions above produce).
-- `retort revision --autogenerate` will compare this file with the database.

CREATE TABLE users (
    id integer PRIMARY KEY,
    username varchar(255) NOT NULL UNIQUE,
    email varchar(255) NOT NULL UNIQUE,
    hashed_password varchar(255) NOT NULL,
    is_active boolean DEFAULT true,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_users_email ON users (email);
CREATE INDEX idx_users_username ON users (username);

CREATE TABLE user_roles (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role varchar(64) NOT NULL,
    granted_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, role)
);

CREATE TABLE resume_templates (
    id integer PRIMARY KEY,
    name varchar(128) NOT NULL UNIQUE,
    body text NOT NULL,
    layout varchar(32) NOT NULL DEFAULT 'single-column'
        CHECK (layout IN ('single-column', 'two-column')),
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP
);

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
