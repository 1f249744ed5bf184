-- The order keeps where it came from (issue 11, order intake "create from an accepted quote"): the
-- quote it was converted from and the small customer reference the quote carried. Both optional:
-- orders placed by other systems may have neither.

alter table customer_order
  add column quote_id varchar(128),
  add column customer jsonb,
  add constraint customer_order_customer_check check (customer is null or jsonb_typeof(customer) = 'object');

comment on column customer_order.quote_id is 'The accepted quote this order was converted from, as the CPQ names it.';
comment on column customer_order.customer is 'Who the order is for, as a small reference (customerId, name, email, phone): not a customer record.';
