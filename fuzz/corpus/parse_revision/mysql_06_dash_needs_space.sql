-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
# hash comment; with a semicolon
SELECT 1; # trailing; comment
-- dash comment; with a semicolon
SELECT 5--1;
SELECT 2 /* block; */ + 3;

-- +downgrade
SELECT 1;
