-- Revision ID: a
DROP TABLE x;
-- +upgrade
