-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
CREATE FUNCTION add(a int, b int) RETURNS int
LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN a + b ELSE b END;
END;
SELECT add(1, 2);

-- +downgrade
SELECT 1;
