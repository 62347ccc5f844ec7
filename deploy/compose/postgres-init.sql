-- One database per service (database per service: none reads another's tables). Run once by the
-- postgres image on an empty data volume (/docker-entrypoint-initdb.d). The services would also
-- create their database on first start; creating them here means they never need CREATEDB.
CREATE DATABASE booking;
CREATE DATABASE payment;
CREATE DATABASE storage_assign;
CREATE DATABASE mypage;
