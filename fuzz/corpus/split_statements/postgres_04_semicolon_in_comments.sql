-- leading; comment
SELECT 1; -- trailing; comment
/* block; comment */ SELECT 2;
