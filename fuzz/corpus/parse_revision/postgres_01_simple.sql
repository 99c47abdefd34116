-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
CREATE TABLE a (id int);
INSERT INTO a VALUES (1);

-- +downgrade
SELECT 1;
