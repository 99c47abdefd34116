-- case
-- Revision ID: c1
-- Revises:
-- +upgrade
CREATE TABLE log (msg text);
CREATE TRIGGER t AFTER INSERT ON log
BEGIN
  INSERT INTO log VALUES ('a;');
  UPDATE log SET msg = CASE WHEN msg = 'x' THEN 'y' ELSE msg END;
END;
INSERT INTO log VALUES ('z');

-- +downgrade
SELECT 1;
