/*!40101 SET NAMES utf8mb4 */;
/* mysql does /* not nest */ SELECT 1;
SELECT 2;
