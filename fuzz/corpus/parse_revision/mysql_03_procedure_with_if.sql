-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
CREATE PROCEDURE p(IN n INT)
BEGIN
  IF n > 0 THEN
    SELECT 'pos;';
  ELSE
    SELECT 'neg';
  END IF;
  WHILE n > 0 DO
    SET n = n - 1;
  END WHILE;
END;
CALL p(1);

-- +downgrade
SELECT 1;
