"""The ERP's operational schema as SQLAlchemy Core tables: the single source of truth.

Names, types, defaults, constraints and indexes follow `docs/prometric-erp-schema.md` (the seed)
column for column; the few deliberate deviations are marked `# deviation` and explained in
`docs/schema-notes.md`. Alembic migrations are generated from and checked against this module.
Columns keep the seed's camelCase names, which PostgreSQL stores quoted (`"organizationId"`).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

# PostgreSQL's own default constraint names, made explicit so migrations can name them.
metadata = MetaData(
    naming_convention={
        "pk": "%(table_name)s_pkey",
        "uq": "%(table_name)s_%(column_0_N_name)s_key",
        "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    }
)


def _id() -> Column:
    return Column("id", UUID, primary_key=True, server_default=text("gen_random_uuid()"))


def _now(name: str) -> Column:
    """A `TIMESTAMP DEFAULT CURRENT_TIMESTAMP` column (UTC, without time zone, as in the seed)."""
    return Column(name, DateTime, server_default=text("CURRENT_TIMESTAMP"))


# --- Accounts: users and their credentials ------------------------------------------------

users = Table(
    "users",
    metadata,
    _id(),
    Column("email", String(255), nullable=False, unique=True),
    Column("password", String(255), nullable=False),
    Column("firstName", String(100)),
    Column("lastName", String(100)),
    Column("phone", String(20)),
    Column("role", String(50), server_default=text("'employee'")),
    Column("status", String(50), server_default=text("'pending'")),
    Column("registrationStatus", String(50), server_default=text("'pending'")),
    Column("emailVerified", Boolean, server_default=text("false")),
    Column("isVerified", Boolean, server_default=text("false")),
    Column("isActive", Boolean, server_default=text("true")),
    Column("onboardingCompleted", Boolean, server_default=text("false")),
    Column("lastLoginAt", DateTime),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    CheckConstraint("role IN ('owner', 'manager', 'employee', 'investor')", name="check_role"),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    _id(),
    Column("userId", UUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token", Text, nullable=False, unique=True),
    Column("deviceInfo", JSONB),
    Column("ipAddress", String(45)),
    Column("userAgent", Text),
    Column("expiresAt", DateTime, nullable=False),
    Column("revokedAt", DateTime),
    Column("revokedReason", String(255)),
    _now("createdAt"),
    Index("idx_refresh_tokens_user", "userId"),
    Index("idx_refresh_tokens_token", "token"),
)

email_verifications = Table(
    "email_verifications",
    metadata,
    _id(),
    Column("userId", UUID, ForeignKey("users.id", ondelete="CASCADE")),
    Column("email", String(255), nullable=False),
    Column("code", String(6), nullable=False),
    Column("token", String(255), unique=True),
    Column("type", String(50)),
    Column("expiresAt", DateTime, nullable=False),
    Column("verifiedAt", DateTime),
    Column("attempts", Integer, server_default=text("0")),
    _now("createdAt"),
    Index("idx_email_verifications_email", "email"),
    Index("idx_email_verifications_token", "token"),
)

# --- Organizations and workspaces ---------------------------------------------------------

organizations = Table(
    "organizations",
    metadata,
    _id(),
    Column("name", String(255), nullable=False),
    Column("bin", String(12), nullable=False, unique=True),
    Column("type", String(50), server_default=text("'COMPANY'")),
    Column("industry", String(100)),
    Column("size", String(50)),
    Column("description", Text),
    Column("website", String(255)),
    Column("email", String(255)),
    Column("phone", String(20)),
    Column("address", JSONB),
    Column("settings", JSONB),
    Column("logo", String(500)),
    Column("isActive", Boolean, server_default=text("true")),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_organizations_bin", "bin"),
    Index("idx_organizations_name", "name"),
)

workspaces = Table(
    "workspaces",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("type", String(50), server_default=text("'main'")),
    Column("description", Text),
    Column("settings", JSONB),
    Column("isActive", Boolean, server_default=text("true")),
    Column("isDefault", Boolean, server_default=text("false")),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_workspaces_org", "organizationId"),
    # deviation: partial, so an organization may have any number of non-default workspaces
    Index(
        "unique_default_workspace",
        "organizationId",
        "isDefault",
        unique=True,
        postgresql_where=text('"isDefault"'),
    ),
)

workspace_users = Table(
    "workspace_users",
    metadata,
    _id(),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("userId", UUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(50), server_default=text("'member'")),
    Column("permissions", JSONB),
    Column("isActive", Boolean, server_default=text("true")),
    Column("joinedAt", DateTime, server_default=text("CURRENT_TIMESTAMP")),
    _now("createdAt"),
    _now("updatedAt"),
    UniqueConstraint("workspaceId", "userId", name="unique_workspace_user"),
    Index("idx_workspace_users_workspace", "workspaceId"),
    Index("idx_workspace_users_user", "userId"),
)

# --- HR -----------------------------------------------------------------------------------

departments = Table(
    "departments",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("parentId", UUID, ForeignKey("departments.id", ondelete="SET NULL")),
    Column("name", String(255), nullable=False),
    Column("code", String(50)),
    Column("description", Text),
    Column("headEmployeeId", UUID),
    Column("settings", JSONB),
    Column("isActive", Boolean, server_default=text("true")),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_departments_org", "organizationId"),
    Index("idx_departments_workspace", "workspaceId"),
    Index("idx_departments_parent", "parentId"),
)

employees = Table(
    "employees",
    metadata,
    _id(),
    Column("userId", UUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id")),
    Column("departmentId", UUID, ForeignKey("departments.id")),
    Column("employeeCode", String(50)),
    Column("position", String(255)),
    Column("organizationRole", String(50)),
    Column("hireDate", Date),
    Column("salary", Numeric(15, 2)),
    Column("currency", String(3), server_default=text("'KZT'")),
    Column("status", String(50), server_default=text("'active'")),
    Column("personalInfo", JSONB),
    Column("documents", JSONB),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_employees_user", "userId"),
    Index("idx_employees_org", "organizationId"),
    Index("idx_employees_workspace", "workspaceId"),
    Index("idx_employees_department", "departmentId"),
    UniqueConstraint("userId", "organizationId", name="unique_user_org"),
)

attendance = Table(
    "attendance",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("employeeId", UUID, ForeignKey("employees.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("checkInTime", Time),
    Column("checkOutTime", Time),
    Column("totalHours", Numeric(5, 2)),
    Column("overtimeHours", Numeric(5, 2), server_default=text("0")),
    Column("status", String(50), server_default=text("'PRESENT'")),
    Column("notes", Text),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_attendance_org", "organizationId"),
    Index("idx_attendance_workspace", "workspaceId"),
    Index("idx_attendance_employee", "employeeId"),
    Index("idx_attendance_date", "date"),
    UniqueConstraint("employeeId", "date", name="unique_attendance"),
)

leaves = Table(
    "leaves",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("employeeId", UUID, ForeignKey("employees.id"), nullable=False),
    Column("type", String(50), nullable=False),
    Column("startDate", Date, nullable=False),
    Column("endDate", Date, nullable=False),
    Column("totalDays", Integer, nullable=False),
    Column("reason", Text),
    Column("status", String(50), server_default=text("'PENDING'")),
    Column("approvedBy", UUID, ForeignKey("users.id")),
    Column("approvedAt", DateTime),
    Column("rejectionReason", Text),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_leaves_org", "organizationId"),
    Index("idx_leaves_workspace", "workspaceId"),
    Index("idx_leaves_employee", "employeeId"),
    Index("idx_leaves_status", "status"),
)

payroll = Table(
    "payroll",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("employeeId", UUID, ForeignKey("employees.id"), nullable=False),
    Column("payrollNumber", String(50), nullable=False),
    Column("month", Integer, nullable=False),
    Column("year", Integer, nullable=False),
    Column("basicSalary", Numeric(15, 2), nullable=False),
    Column("allowances", Numeric(15, 2), server_default=text("0")),
    Column("deductions", Numeric(15, 2), server_default=text("0")),
    Column("taxAmount", Numeric(15, 2), server_default=text("0")),
    Column("netSalary", Numeric(15, 2), nullable=False),
    Column("currency", String(3), server_default=text("'KZT'")),
    Column("status", String(50), server_default=text("'DRAFT'")),
    Column("paymentDate", Date),
    Column("paymentMethod", String(50)),
    Column("bankAccount", String(100)),
    Column("notes", Text),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_payroll_org", "organizationId"),
    Index("idx_payroll_workspace", "workspaceId"),
    Index("idx_payroll_employee", "employeeId"),
    Index("idx_payroll_period", "year", "month"),
    # added by the payroll migration: a run reads and writes one organization's month
    Index("idx_payroll_org_period", "organizationId", "year", "month"),
    UniqueConstraint("employeeId", "year", "month", name="unique_payroll_period"),
    # deviation: unique per organization, not across tenants (docs/schema-notes.md)
    UniqueConstraint("organizationId", "payrollNumber"),
)

# --- CRM ----------------------------------------------------------------------------------

customers = Table(
    "customers",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("type", String(50), server_default=text("'COMPANY'")),
    Column("bin", String(12)),
    Column("email", String(255)),
    Column("phone", String(20)),
    Column("website", String(255)),
    Column("industry", String(100)),
    Column("size", String(50)),
    Column("rating", Integer, server_default=text("0")),
    Column("status", String(50), server_default=text("'active'")),
    Column("tags", ARRAY(Text)),
    Column("address", JSONB),
    Column("billingAddress", JSONB),
    Column("shippingAddress", JSONB),
    Column("contacts", ARRAY(JSONB)),
    Column("notes", Text),
    Column("creditLimit", Numeric(15, 2)),
    Column("balance", Numeric(15, 2), server_default=text("0")),
    Column("totalPurchases", Numeric(15, 2), server_default=text("0")),
    Column("lastContactDate", DateTime),
    Column("assignedTo", UUID, ForeignKey("users.id")),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_customers_org", "organizationId"),
    Index("idx_customers_workspace", "workspaceId"),
    Index("idx_customers_name", "name"),
    Index("idx_customers_bin", "bin"),
    Index("idx_customers_assigned", "assignedTo"),
    Index("idx_customers_search", "organizationId", "name", "email", "bin"),
)

customer_contacts = Table(
    "customer_contacts",
    metadata,
    _id(),
    Column("customerId", UUID, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("firstName", String(100)),
    Column("lastName", String(100)),
    Column("position", String(100)),
    Column("email", String(255)),
    Column("phone", String(20)),
    Column("mobile", String(20)),
    Column("isPrimary", Boolean, server_default=text("false")),
    Column("notes", Text),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_customer_contacts_customer", "customerId"),
)

deals = Table(
    "deals",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("customerId", UUID, ForeignKey("customers.id"), nullable=False),
    Column("title", String(255), nullable=False),
    Column("description", Text),
    Column("value", Numeric(15, 2), server_default=text("0")),
    Column("currency", String(3), server_default=text("'KZT'")),
    Column("stage", String(50), server_default=text("'NEW'")),
    Column("probability", Integer, server_default=text("0")),
    Column("expectedCloseDate", Date),
    Column("actualCloseDate", Date),
    Column("wonAt", DateTime),
    Column("lostAt", DateTime),
    Column("lostReason", String(255)),
    Column("competitorInfo", JSONB),
    Column("source", String(100)),
    Column("assignedTo", UUID, ForeignKey("users.id")),
    Column("tags", ARRAY(Text)),
    Column("notes", Text),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_deals_org", "organizationId"),
    Index("idx_deals_workspace", "workspaceId"),
    Index("idx_deals_customer", "customerId"),
    Index("idx_deals_stage", "stage"),
    Index("idx_deals_assigned", "assignedTo"),
    # the seed's example index names "status"; deals have none, "stage" is their status
    Index("idx_deals_org_workspace_status", "organizationId", "workspaceId", "stage"),
)

deal_products = Table(
    "deal_products",
    metadata,
    _id(),
    Column("dealId", UUID, ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
    Column("productId", UUID, ForeignKey("products.id"), nullable=False),
    Column("quantity", Numeric(15, 3), nullable=False),
    Column("unitPrice", Numeric(15, 2), nullable=False),
    Column("discount", Numeric(5, 2), server_default=text("0")),
    Column("tax", Numeric(5, 2), server_default=text("12")),
    Column("totalPrice", Numeric(15, 2), nullable=False),
    Column("notes", Text),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_deal_products_deal", "dealId"),
    Index("idx_deal_products_product", "productId"),
)

deal_activities = Table(
    "deal_activities",
    metadata,
    _id(),
    Column("dealId", UUID, ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(50), nullable=False),
    Column("subject", String(255)),
    Column("description", Text),
    Column("outcome", String(100)),
    Column("scheduledAt", DateTime),
    Column("completedAt", DateTime),
    Column("duration", Integer),
    Column("assignedTo", UUID, ForeignKey("users.id")),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_deal_activities_deal", "dealId"),
    Index("idx_deal_activities_type", "type"),
    Index("idx_deal_activities_assigned", "assignedTo"),
)

# --- Inventory: products and warehouses ---------------------------------------------------

product_categories = Table(
    "product_categories",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("parentId", UUID, ForeignKey("product_categories.id", ondelete="SET NULL")),
    Column("name", String(255), nullable=False),
    Column("code", String(50)),
    Column("description", Text),
    Column("image", String(500)),
    Column("sortOrder", Integer, server_default=text("0")),
    Column("isActive", Boolean, server_default=text("true")),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_product_categories_org", "organizationId"),
    Index("idx_product_categories_parent", "parentId"),
)

products = Table(
    "products",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("categoryId", UUID, ForeignKey("product_categories.id")),
    Column("code", String(100), nullable=False),
    Column("barcode", String(100)),
    Column("name", String(255), nullable=False),
    Column("description", Text),
    Column("type", String(50), server_default=text("'PRODUCT'")),
    Column("unit", String(50), server_default=text("'шт'")),
    Column("price", Numeric(15, 2), server_default=text("0")),
    Column("cost", Numeric(15, 2), server_default=text("0")),
    Column("currency", String(3), server_default=text("'KZT'")),
    Column("taxRate", Numeric(5, 2), server_default=text("12")),
    Column("minStock", Numeric(15, 3), server_default=text("0")),
    Column("maxStock", Numeric(15, 3)),
    Column("currentStock", Numeric(15, 3), server_default=text("0")),
    Column("reservedStock", Numeric(15, 3), server_default=text("0")),
    Column("availableStock", Numeric(15, 3), Computed('"currentStock" - "reservedStock"', persisted=True)),
    Column("weight", Numeric(10, 3)),
    Column("dimensions", JSONB),
    Column("images", ARRAY(Text)),
    Column("specifications", JSONB),
    Column("status", String(50), server_default=text("'ACTIVE'")),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_products_org", "organizationId"),
    Index("idx_products_workspace", "workspaceId"),
    Index("idx_products_category", "categoryId"),
    Index("idx_products_code", "code"),
    Index("idx_products_barcode", "barcode"),
    Index("idx_products_name", "name"),
    # deviation: unique per organization, not across tenants (docs/schema-notes.md)
    UniqueConstraint("organizationId", "code"),
)

warehouses = Table(
    "warehouses",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("code", String(50)),
    Column("type", String(50), server_default=text("'MAIN'")),
    Column("address", JSONB),
    Column("managerId", UUID, ForeignKey("users.id")),
    Column("capacity", Numeric(15, 2)),
    Column("currentUtilization", Numeric(5, 2)),
    Column("isActive", Boolean, server_default=text("true")),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_warehouses_org", "organizationId"),
    Index("idx_warehouses_workspace", "workspaceId"),
    # deviation: unique per organization, not across tenants (docs/schema-notes.md)
    UniqueConstraint("organizationId", "code"),
)

inventory = Table(
    "inventory",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("warehouseId", UUID, ForeignKey("warehouses.id"), nullable=False),
    Column("productId", UUID, ForeignKey("products.id"), nullable=False),
    Column("quantity", Numeric(15, 3), nullable=False, server_default=text("0")),
    Column("reservedQuantity", Numeric(15, 3), server_default=text("0")),
    Column("availableQuantity", Numeric(15, 3), Computed('"quantity" - "reservedQuantity"', persisted=True)),
    Column("location", String(100)),
    Column("batchNumber", String(100)),
    Column("expiryDate", Date),
    Column("lastCountDate", Date),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_inventory_org", "organizationId"),
    Index("idx_inventory_workspace", "workspaceId"),
    Index("idx_inventory_warehouse", "warehouseId"),
    Index("idx_inventory_product", "productId"),
    # deviation: NULL batches are not distinct; two partial indexes (PostgreSQL 14 has no
    # NULLS NOT DISTINCT) keep '' and NULL apart
    Index(
        "unique_warehouse_product",
        "warehouseId",
        "productId",
        "batchNumber",
        unique=True,
        postgresql_where=text('"batchNumber" IS NOT NULL'),
    ),
    Index(
        "unique_warehouse_product_no_batch",
        "warehouseId",
        "productId",
        unique=True,
        postgresql_where=text('"batchNumber" IS NULL'),
    ),
)

stock_movements = Table(
    "stock_movements",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("warehouseId", UUID, ForeignKey("warehouses.id"), nullable=False),
    Column("productId", UUID, ForeignKey("products.id"), nullable=False),
    Column("type", String(50), nullable=False),
    Column("quantity", Numeric(15, 3), nullable=False),
    Column("referenceType", String(50)),
    Column("referenceId", UUID),
    Column("fromWarehouseId", UUID, ForeignKey("warehouses.id")),
    Column("toWarehouseId", UUID, ForeignKey("warehouses.id")),
    Column("reason", Text),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    Index("idx_stock_movements_org", "organizationId"),
    Index("idx_stock_movements_workspace", "workspaceId"),
    Index("idx_stock_movements_warehouse", "warehouseId"),
    Index("idx_stock_movements_product", "productId"),
    Index("idx_stock_movements_type", "type"),
    Index("idx_stock_movements_reference", "referenceType", "referenceId"),
)

# --- Sales --------------------------------------------------------------------------------

orders = Table(
    "orders",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("orderNumber", String(50), nullable=False),
    Column("type", String(50), server_default=text("'SALES'")),
    Column("customerId", UUID, ForeignKey("customers.id")),
    Column("dealId", UUID, ForeignKey("deals.id")),
    Column("status", String(50), server_default=text("'PENDING'")),
    Column("orderDate", DateTime, server_default=text("CURRENT_TIMESTAMP")),
    Column("expectedDeliveryDate", Date),
    Column("actualDeliveryDate", Date),
    Column("shippingAddress", JSONB),
    Column("billingAddress", JSONB),
    Column("subtotal", Numeric(15, 2), server_default=text("0")),
    Column("taxAmount", Numeric(15, 2), server_default=text("0")),
    Column("discountAmount", Numeric(15, 2), server_default=text("0")),
    Column("shippingAmount", Numeric(15, 2), server_default=text("0")),
    Column("totalAmount", Numeric(15, 2), server_default=text("0")),
    Column("currency", String(3), server_default=text("'KZT'")),
    Column("paymentStatus", String(50), server_default=text("'PENDING'")),
    Column("paymentMethod", String(50)),
    Column("notes", Text),
    Column("assignedTo", UUID, ForeignKey("users.id")),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_orders_org", "organizationId"),
    Index("idx_orders_workspace", "workspaceId"),
    Index("idx_orders_number", "orderNumber"),
    Index("idx_orders_customer", "customerId"),
    Index("idx_orders_deal", "dealId"),
    Index("idx_orders_status", "status"),
    # deviation: unique per organization, not across tenants (docs/schema-notes.md)
    UniqueConstraint("organizationId", "orderNumber"),
    Index("idx_orders_org_date_range", "organizationId", "orderDate", "status"),
)

order_items = Table(
    "order_items",
    metadata,
    _id(),
    Column("orderId", UUID, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("productId", UUID, ForeignKey("products.id"), nullable=False),
    Column("quantity", Numeric(15, 3), nullable=False),
    Column("unitPrice", Numeric(15, 2), nullable=False),
    Column("discount", Numeric(5, 2), server_default=text("0")),
    Column("tax", Numeric(5, 2), server_default=text("12")),
    Column("totalPrice", Numeric(15, 2), nullable=False),
    Column("notes", Text),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_order_items_order", "orderId"),
    Index("idx_order_items_product", "productId"),
)

# --- Production ---------------------------------------------------------------------------

production_orders = Table(
    "production_orders",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("orderNumber", String(50), nullable=False),
    Column("orderId", UUID, ForeignKey("orders.id")),
    Column("productId", UUID, ForeignKey("products.id"), nullable=False),
    Column("quantity", Numeric(15, 3), nullable=False),
    Column("completedQuantity", Numeric(15, 3), server_default=text("0")),
    Column("status", String(50), server_default=text("'PLANNED'")),
    Column("priority", String(20), server_default=text("'NORMAL'")),
    Column("plannedStartDate", DateTime),
    Column("plannedEndDate", DateTime),
    Column("actualStartDate", DateTime),
    Column("actualEndDate", DateTime),
    Column("assignedTo", UUID, ForeignKey("users.id")),
    Column("notes", Text),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_production_orders_org", "organizationId"),
    Index("idx_production_orders_workspace", "workspaceId"),
    Index("idx_production_orders_order", "orderId"),
    Index("idx_production_orders_product", "productId"),
    Index("idx_production_orders_status", "status"),
    # deviation: unique per organization, not across tenants (docs/schema-notes.md)
    UniqueConstraint("organizationId", "orderNumber"),
)

work_orders = Table(
    "work_orders",
    metadata,
    _id(),
    Column("productionOrderId", UUID, ForeignKey("production_orders.id", ondelete="CASCADE"), nullable=False),
    Column("workOrderNumber", String(50), nullable=False, unique=True),
    Column("operation", String(255), nullable=False),
    Column("workCenterId", UUID),
    Column("quantity", Numeric(15, 3), nullable=False),
    Column("completedQuantity", Numeric(15, 3), server_default=text("0")),
    Column("status", String(50), server_default=text("'PENDING'")),
    Column("assignedTo", UUID, ForeignKey("users.id")),
    Column("startTime", DateTime),
    Column("endTime", DateTime),
    Column("duration", Integer),
    Column("notes", Text),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_work_orders_production", "productionOrderId"),
    Index("idx_work_orders_status", "status"),
    Index("idx_work_orders_assigned", "assignedTo"),
)

production_bom = Table(
    "production_bom",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("productId", UUID, ForeignKey("products.id"), nullable=False),
    Column("componentId", UUID, ForeignKey("products.id"), nullable=False),
    Column("quantity", Numeric(15, 6), nullable=False),
    Column("unit", String(50)),
    Column("notes", Text),
    Column("isActive", Boolean, server_default=text("true")),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_bom_org", "organizationId"),
    Index("idx_bom_product", "productId"),
    Index("idx_bom_component", "componentId"),
    UniqueConstraint("productId", "componentId", name="unique_bom_component"),
)

# --- Finance ------------------------------------------------------------------------------

invoices = Table(
    "invoices",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("invoiceNumber", String(50), nullable=False),
    Column("type", String(50), server_default=text("'SALES'")),
    Column("customerId", UUID, ForeignKey("customers.id")),
    Column("orderId", UUID, ForeignKey("orders.id")),
    Column("dealId", UUID, ForeignKey("deals.id")),
    Column("status", String(50), server_default=text("'DRAFT'")),
    Column("issueDate", Date, nullable=False),
    Column("dueDate", Date, nullable=False),
    Column("subtotal", Numeric(15, 2), server_default=text("0")),
    Column("taxAmount", Numeric(15, 2), server_default=text("0")),
    Column("discountAmount", Numeric(15, 2), server_default=text("0")),
    Column("totalAmount", Numeric(15, 2), server_default=text("0")),
    Column("paidAmount", Numeric(15, 2), server_default=text("0")),
    Column("balanceDue", Numeric(15, 2), Computed('"totalAmount" - "paidAmount"', persisted=True)),
    Column("currency", String(3), server_default=text("'KZT'")),
    Column("notes", Text),
    Column("termsAndConditions", Text),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_invoices_org", "organizationId"),
    Index("idx_invoices_workspace", "workspaceId"),
    Index("idx_invoices_number", "invoiceNumber"),
    Index("idx_invoices_customer", "customerId"),
    Index("idx_invoices_order", "orderId"),
    Index("idx_invoices_status", "status"),
    # deviation: unique per organization, not across tenants (docs/schema-notes.md)
    UniqueConstraint("organizationId", "invoiceNumber"),
)

invoice_items = Table(
    "invoice_items",
    metadata,
    _id(),
    Column("invoiceId", UUID, ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False),
    Column("productId", UUID, ForeignKey("products.id")),
    Column("description", Text, nullable=False),
    Column("quantity", Numeric(15, 3), nullable=False),
    Column("unitPrice", Numeric(15, 2), nullable=False),
    Column("discount", Numeric(5, 2), server_default=text("0")),
    Column("tax", Numeric(5, 2), server_default=text("12")),
    Column("totalPrice", Numeric(15, 2), nullable=False),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_invoice_items_invoice", "invoiceId"),
    Index("idx_invoice_items_product", "productId"),
)

payments = Table(
    "payments",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("paymentNumber", String(50), nullable=False),
    Column("type", String(50), server_default=text("'INCOMING'")),
    Column("invoiceId", UUID, ForeignKey("invoices.id")),
    Column("customerId", UUID, ForeignKey("customers.id")),
    Column("amount", Numeric(15, 2), nullable=False),
    Column("currency", String(3), server_default=text("'KZT'")),
    Column("paymentMethod", String(50), nullable=False),
    Column("paymentDate", Date, nullable=False),
    Column("referenceNumber", String(100)),
    Column("status", String(50), server_default=text("'COMPLETED'")),
    Column("notes", Text),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_payments_org", "organizationId"),
    Index("idx_payments_workspace", "workspaceId"),
    Index("idx_payments_invoice", "invoiceId"),
    Index("idx_payments_customer", "customerId"),
    Index("idx_payments_date", "paymentDate"),
    # deviation: unique per organization, not across tenants (docs/schema-notes.md)
    UniqueConstraint("organizationId", "paymentNumber"),
)

expenses = Table(
    "expenses",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("expenseNumber", String(50), nullable=False),
    Column("category", String(100), nullable=False),
    Column("description", Text),
    Column("amount", Numeric(15, 2), nullable=False),
    Column("currency", String(3), server_default=text("'KZT'")),
    Column("expenseDate", Date, nullable=False),
    Column("paymentMethod", String(50)),
    Column("vendorId", UUID, ForeignKey("customers.id")),
    Column("employeeId", UUID, ForeignKey("employees.id")),
    Column("status", String(50), server_default=text("'PENDING'")),
    Column("approvedBy", UUID, ForeignKey("users.id")),
    Column("approvedAt", DateTime),
    Column("receipt", String(500)),
    Column("notes", Text),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_expenses_org", "organizationId"),
    Index("idx_expenses_workspace", "workspaceId"),
    Index("idx_expenses_category", "category"),
    Index("idx_expenses_employee", "employeeId"),
    Index("idx_expenses_status", "status"),
    # deviation: unique per organization, not across tenants (docs/schema-notes.md)
    UniqueConstraint("organizationId", "expenseNumber"),
)

# --- Tasks --------------------------------------------------------------------------------

projects = Table(
    "projects",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("code", String(50)),
    Column("description", Text),
    Column("status", String(50), server_default=text("'ACTIVE'")),  # ACTIVE, ON_HOLD, COMPLETED, CANCELLED
    Column("startDate", Date),
    Column("endDate", Date),
    Column("ownerId", UUID, ForeignKey("users.id")),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_projects_org", "organizationId"),
    Index("idx_projects_workspace", "workspaceId"),
    Index("idx_projects_status", "status"),
)

tasks = Table(
    "tasks",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("projectId", UUID, ForeignKey("projects.id")),
    Column("title", String(255), nullable=False),
    Column("description", Text),
    Column("type", String(50), server_default=text("'TASK'")),
    Column("priority", String(20), server_default=text("'NORMAL'")),
    Column("status", String(50), server_default=text("'TODO'")),
    Column("assignedTo", UUID, ForeignKey("users.id")),
    Column("assignedBy", UUID, ForeignKey("users.id")),
    Column("dueDate", DateTime),
    Column("startDate", DateTime),
    Column("completedAt", DateTime),
    Column("estimatedHours", Numeric(5, 2)),
    Column("actualHours", Numeric(5, 2)),
    Column("tags", ARRAY(Text)),
    Column("attachments", ARRAY(Text)),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_tasks_org", "organizationId"),
    Index("idx_tasks_workspace", "workspaceId"),
    Index("idx_tasks_project", "projectId"),
    Index("idx_tasks_assigned", "assignedTo"),
    Index("idx_tasks_status", "status"),
)

task_comments = Table(
    "task_comments",
    metadata,
    _id(),
    Column("taskId", UUID, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
    Column("userId", UUID, ForeignKey("users.id"), nullable=False),
    Column("comment", Text, nullable=False),
    Column("attachments", ARRAY(Text)),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_task_comments_task", "taskId"),
    Index("idx_task_comments_user", "userId"),
)

# --- Collaboration ------------------------------------------------------------------------

calendar_events = Table(
    "calendar_events",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(255), nullable=False),
    Column("description", Text),
    Column("type", String(50), server_default=text("'EVENT'")),
    Column("location", String(255)),
    Column("startTime", DateTime, nullable=False),
    Column("endTime", DateTime, nullable=False),
    Column("allDay", Boolean, server_default=text("false")),
    Column("recurrence", String(50)),
    Column("recurrenceEnd", Date),
    Column("attendees", ARRAY(UUID)),
    Column("reminders", JSONB),
    Column("color", String(7)),
    Column("status", String(50), server_default=text("'CONFIRMED'")),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_calendar_events_org", "organizationId"),
    Index("idx_calendar_events_workspace", "workspaceId"),
    Index("idx_calendar_events_start", "startTime"),
    Index("idx_calendar_events_type", "type"),
)

documents = Table(
    "documents",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("type", String(50), nullable=False),
    Column("category", String(100)),
    Column("fileUrl", String(500), nullable=False),
    Column("fileSize", BigInteger),
    Column("mimeType", String(100)),
    Column("entityType", String(50)),
    Column("entityId", UUID),
    Column("version", Integer, server_default=text("1")),
    Column("tags", ARRAY(Text)),
    Column("metadata", JSONB),
    Column("isPublic", Boolean, server_default=text("false")),
    Column("sharedWith", ARRAY(UUID)),
    Column("createdBy", UUID, ForeignKey("users.id")),
    _now("createdAt"),
    _now("updatedAt"),
    Column("deletedAt", DateTime),
    Index("idx_documents_org", "organizationId"),
    Index("idx_documents_workspace", "workspaceId"),
    Index("idx_documents_entity", "entityType", "entityId"),
    Index("idx_documents_type", "type"),
)

notifications = Table(
    "notifications",
    metadata,
    _id(),
    Column("userId", UUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(50), nullable=False),
    Column("category", String(50)),
    Column("title", String(255), nullable=False),
    Column("message", Text),
    Column("data", JSONB),
    Column("isRead", Boolean, server_default=text("false")),
    Column("readAt", DateTime),
    _now("createdAt"),
    Index("idx_notifications_user", "userId"),
    Index("idx_notifications_read", "isRead"),
    Index("idx_notifications_created", "createdAt"),
)

# --- Analytics ----------------------------------------------------------------------------

metrics = Table(
    "metrics",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("type", String(50), nullable=False),
    Column("period", String(20), nullable=False),
    Column("value", Numeric(15, 2), nullable=False),
    Column("previousValue", Numeric(15, 2)),
    Column("change", Numeric(20, 2)),  # deviation: the seed's DECIMAL(5,2) overflows at ±1000 %
    Column("target", Numeric(15, 2)),
    Column("date", Date, nullable=False),
    Column("metadata", JSONB),
    _now("createdAt"),
    Index("idx_metrics_org", "organizationId"),
    Index("idx_metrics_workspace", "workspaceId"),
    Index("idx_metrics_type", "type"),
    Index("idx_metrics_period", "period"),
    Index("idx_metrics_date", "date"),
    # the key the metrics job rewrites windows by (docs/schema-notes.md); organization, period and date lead so
    # that rewriting one window of days is one range of this index
    UniqueConstraint("organizationId", "period", "date", "workspaceId", "name"),
)

kpi_definitions = Table(
    "kpi_definitions",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", Text),
    Column("formula", Text),
    Column("unit", String(50)),
    Column("targetValue", Numeric(15, 2)),
    Column("frequency", String(50)),
    Column("category", String(100)),
    Column("isActive", Boolean, server_default=text("true")),
    _now("createdAt"),
    _now("updatedAt"),
    Index("idx_kpi_definitions_org", "organizationId"),
)

# --- Audit --------------------------------------------------------------------------------

audit_logs = Table(
    "audit_logs",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id")),
    Column("userId", UUID, ForeignKey("users.id")),
    Column("action", String(100), nullable=False),
    Column("entity", String(100), nullable=False),
    Column("entityId", UUID),
    Column("oldValue", JSONB),
    Column("newValue", JSONB),
    Column("ipAddress", String(45)),
    Column("userAgent", Text),
    # partitioned by month on createdAt (docs/schema-notes.md): part of the primary key, so NOT NULL
    Column("createdAt", DateTime, primary_key=True, nullable=False, server_default=text("CURRENT_TIMESTAMP")),
    Index("idx_audit_logs_org", "organizationId"),
    Index("idx_audit_logs_user", "userId"),
    Index("idx_audit_logs_entity", "entity", "entityId"),
    Index("idx_audit_logs_action", "action"),
    Index("idx_audit_logs_created", "createdAt"),
    # ours (docs/schema-notes.md): one organization's rows in time order, for archival and the audit query
    Index("idx_audit_logs_org_created", "organizationId", "createdAt"),
    # ours: the Audit page's entity hint, one entity at a time under row-level security (20261207001600)
    Index("idx_audit_logs_org_entity_created", "organizationId", text("(CAST(entity AS name))"), "createdAt"),
)

# --- Platform tables (not the ERP's): security ----------------------------------------------
# Created by migrations/versions/20261125104032_row_level_security_and_accounts.py; documented in
# docs/schema-notes.md and docs/security.md. Not ERP assets (see TABLE_MODULES below).

# Login throttling: failed attempts and lock-outs per e-mail, in the database so a restart of the
# dashboards does not reset them. Keyed by the lower-cased e-mail (also for unknown addresses).
security_account_locks = Table(
    "security_account_locks",
    metadata,
    Column("email", String(255), primary_key=True),
    Column("failedAttempts", Integer, nullable=False, server_default=text("0")),
    Column("lastFailedAt", DateTime),
    Column("lockedUntil", DateTime),
    _now("updatedAt"),
)

# Keys of the tenant proof that `tenant_session` signs and the row-level security policies check.
# Readable by the owner only; a key is active until `retiredAt` is set.
security_tenant_keys = Table(
    "security_tenant_keys",
    metadata,
    _id(),
    Column("key", Text, nullable=False),
    _now("createdAt"),
    Column("retiredAt", DateTime),
)

# --- Platform tables (not the ERP's): metrics ------------------------------------------------
# Created by migrations/versions/20261125120100_metrics_rollups.py; see docs/metrics.md.

# Exchange rates for the metrics job (specs/metrics.md names the table and its columns): a row in
# another currency is converted with the rate of its own date, or skipped and counted. Not tenant
# data: one rate per currency and day for every organization. Loaded by operators (e.g. from the
# National Bank of Kazakhstan's daily rates); nothing in the ERP writes it.
fx_rates = Table(
    "fx_rates",
    metadata,
    Column("currency", String(3), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("rateToKzt", Numeric(18, 6), nullable=False),
    CheckConstraint('"rateToKzt" > 0', name="fx_rates_rate_positive"),
)

# Date-leading indexes on the ERP's fact tables for the metrics job's nightly window: it reads a few
# days of every organization at once, and PostgreSQL 14-17 cannot skip-scan the seed's
# ("organizationId") or (organizationId, date) indexes for a date range alone (DESIGN.md).
METRICS_WINDOW_INDEXES = (
    Index("idx_orders_order_date", orders.c.orderDate),
    Index("idx_customers_created", customers.c.createdAt),
    Index("idx_invoices_issue_date", invoices.c.issueDate),
    # invoices still open now: with the payments of the window, all that receivables as of a recent day need
    Index("idx_invoices_open", invoices.c.issueDate, postgresql_where=invoices.c.paidAmount < invoices.c.totalAmount),
    Index("idx_expenses_expense_date", expenses.c.expenseDate),
    Index("idx_stock_movements_created", stock_movements.c.createdAt),
    Index("idx_production_orders_actual_end", production_orders.c.actualEndDate),
    Index("idx_leaves_end_date", leaves.c.endDate),
    Index("idx_tasks_created", tasks.c.createdAt),
    Index("idx_tasks_completed", tasks.c.completedAt),
    Index("idx_deals_created", deals.c.createdAt),
)

# --- Platform tables (not the ERP's): payroll ----------------------------------------------------
# Created by migrations/versions/20261125120200_payroll_runs.py; documented in docs/schema-notes.md
# and docs/payroll.md. Written by the `payroll_run` asset in the same transaction as `payroll`.

# The breakdown of a payroll row: every earning, withholding, tax and employer contribution.
# `id` is derived from (payrollId, code), so a re-run writes the very same rows.
payroll_items = Table(
    "payroll_items",
    metadata,
    _id(),
    Column("payrollId", UUID, ForeignKey("payroll.id", ondelete="CASCADE"), nullable=False),
    # the payroll row's organization, for row-level security; no foreign key of its own (the
    # payroll row's already guarantees it, and a first run writes ~900,000 lines: one check per line)
    Column("organizationId", UUID, nullable=False),
    Column("code", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("base", Numeric(15, 2)),
    Column("rate", Numeric(9, 6)),
    Column("amount", Numeric(15, 2), nullable=False),
    # how the line was obtained (days, hours, deduction, year-to-date …), for the payslip
    Column("details", JSONB),
    CheckConstraint("kind IN ('earning', 'withholding', 'tax', 'employer')", name="payroll_items_kind_check"),
    UniqueConstraint("payrollId", "code"),
)

# Employees a run could not pay, with the reason (the run report and the coverage check read them).
payroll_skips = Table(
    "payroll_skips",
    metadata,
    _id(),
    Column("employeeId", UUID, ForeignKey("employees.id", ondelete="CASCADE"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("month", Integer, nullable=False),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("reason", Text, nullable=False),
    _now("createdAt"),
    UniqueConstraint("employeeId", "year", "month"),
    Index("idx_payroll_skips_org_period", "organizationId", "year", "month"),
)

# What each employee's row of a month was computed from: the digest of every input the run read for
# the employee and the row's id (NULL: skipped). A re-run recomputes only the employees whose digest
# differs (docs/payroll.md). Created by migrations/versions/20261207001300_payroll_input_digests.py.
payroll_input_digests = Table(
    "payroll_input_digests",
    metadata,
    Column("organizationId", UUID, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("month", Integer, primary_key=True),
    Column("employeeId", UUID, primary_key=True),
    Column("inputsDigest", BigInteger, nullable=False),
    Column("payrollId", UUID),
)

# The metrics job's data-quality findings: ERP rows and computed values a run left out, counted per
# organization, step (daily, weekly…, kpi_monthly…), day or period start, source table and reason.
# Created by migrations/versions/20261206200300_metrics_skipped_rows.py; see docs/data-quality.md.
metrics_skipped_rows = Table(
    "metrics_skipped_rows",
    metadata,
    _id(),
    Column("organizationId", UUID, nullable=False),
    Column("step", String(20), nullable=False),
    Column("date", Date, nullable=False),
    Column("source", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("detail", Text),
    Column("value", Text),
    Column("rows", BigInteger, nullable=False),
    Column("runId", String(64)),
    _now("createdAt"),
    Index("idx_metrics_skipped_rows_window", "organizationId", "step", "date"),
)

# The metrics change log: per organization and writing statement, the earliest day the change can
# affect, recorded by statement triggers on the tables the metrics read; the nightly metrics run claims,
# recomputes and deletes them. And the last day each organization's nightly run completed.
# Created by migrations/versions/20261207001200_metrics_change_log.py; see docs/metrics.md ("Nightly").
# No foreign keys into ERP tables (the generator truncates them; a deleted organization records a change).
metric_changes = Table(
    "metric_changes",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("organizationId", UUID, nullable=False),
    Column("source", Text, nullable=False),
    Column("firstDay", Date, nullable=False),
    _now("recordedAt"),
    Column("claimedBy", Text),
    Index("idx_metric_changes_org", "organizationId", "firstDay"),
)

metric_nightly_state = Table(
    "metric_nightly_state",
    metadata,
    Column("organizationId", UUID, primary_key=True),
    Column("lastDay", Date, nullable=False),
    Column("runId", Text, nullable=False),
    _now("completedAt"),
)

# --- Platform tables: stock reconciliation --------------------------------------------------
# Created by migrations/versions/20261125120300_stock_reconciliation.py; documented in
# docs/schema-notes.md and docs/stock.md. Written by prometric_pipelines/stock/.

# One row per organization and run date (the Dagster partition): a re-run replaces it (and, by the
# cascade, its findings), so the table holds the latest reconciliation of every day.
# No foreign keys into ERP tables: the generator's loads truncate the ERP tables and drop their keys
# (generate/run.py), which a platform table referencing organizations would block; a finding is a
# record of what was seen anyway (it may name another organization's warehouse).
stock_reconciliation_runs = Table(
    "stock_reconciliation_runs",
    metadata,
    _id(),
    Column("organizationId", UUID, nullable=False),
    Column("runKey", String(64), nullable=False),  # the Dagster run id (or "cli-…"/"test-…" outside Dagster)
    Column("runDate", Date, nullable=False),
    Column("status", String(20), nullable=False),  # completed (a failed run rolls back and leaves no row)
    Column("applied", Boolean, nullable=False, server_default=text("false")),
    Column("startedAt", DateTime, nullable=False),
    Column("finishedAt", DateTime),
    Column("summary", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    UniqueConstraint("organizationId", "runDate"),
    Index("idx_stock_reconciliation_runs_date", "runDate"),
)

# Findings of a run; like the runs, no foreign keys to the ERP rows they name (nor may they block
# deleting a product).
stock_discrepancies = Table(
    "stock_discrepancies",
    metadata,
    _id(),
    Column("runId", UUID, ForeignKey("stock_reconciliation_runs.id", ondelete="CASCADE"), nullable=False),
    Column("organizationId", UUID, nullable=False),
    Column("workspaceId", UUID),
    Column("kind", String(40), nullable=False),
    Column("warehouseId", UUID),
    Column("productId", UUID),
    Column("referenceId", UUID),  # the stock movement or inventory row the finding is about
    Column("expected", Numeric(15, 3)),
    Column("actual", Numeric(15, 3)),
    Column("difference", Numeric(15, 3)),
    Column("valueImpact", Numeric(18, 2)),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    _now("createdAt"),
    Index("idx_stock_discrepancies_run", "runId"),
    Index("idx_stock_discrepancies_org_kind", "organizationId", "kind"),
)

# --- Platform tables: sealed stock balances (20261207000400; docs/stock.md, "Sealed balances") -----

# The reconciliation's nightly run reads one organization's movements after its last sealed month;
# one (warehouse, product) pair's movements in one range (20261207001400: a malformed or foreign ledger
# group expanded back to its movements).
STOCK_SEAL_INDEXES = (
    Index("idx_stock_movements_org_created", stock_movements.c.organizationId, stock_movements.c.createdAt),
    Index(
        "idx_stock_movements_org_product_warehouse",
        stock_movements.c.organizationId,
        stock_movements.c.productId,
        stock_movements.c.warehouseId,
    ),
)

# The months an organization's ledger is sealed through (the latest is what a nightly run starts from).
stock_sealed_periods = Table(
    "stock_sealed_periods",
    metadata,
    _id(),
    Column("organizationId", UUID, nullable=False),
    Column("period", Date, nullable=False),  # first day of the sealed month
    Column("sealedAt", DateTime, nullable=False),
    Column("runId", UUID),  # the run that sealed it (runs are replaced per day: no foreign key)
    UniqueConstraint("organizationId", "period"),
)

# Per sealed month and ledger group (warehouse, product, type, transfer ends): the group's movements
# from the beginning up to the end of that month, as the reconciliation's pass aggregates them.
stock_sealed_balances = Table(
    "stock_sealed_balances",
    metadata,
    _id(),
    Column("organizationId", UUID, nullable=False),
    Column("period", Date, nullable=False),
    Column("warehouseId", UUID, nullable=False),
    Column("productId", UUID, nullable=False),
    Column("type", String(50), nullable=False),
    Column("fromWarehouseId", UUID),
    Column("toWarehouseId", UUID),
    Column("quantity", Numeric),  # sum of the positive (and ADJUSTMENT) quantities; NULL: none
    Column("nonPositiveIds", ARRAY(UUID)),  # the group's IN/OUT/TRANSFER movements with quantity <= 0
    Column("movements", BigInteger, nullable=False),
    Index("idx_stock_sealed_balances_org_period", "organizationId", "period"),
    Index("idx_stock_sealed_balances_key", "organizationId", "warehouseId", "productId", "period"),
)

# (organization, warehouse, product, month) written before the current month after the fact: recorded
# by the trigger on stock_movements, consumed (and unsealed) by the next reconciliation.
stock_seal_breaks = Table(
    "stock_seal_breaks",
    metadata,
    _id(),
    Column("organizationId", UUID, nullable=False),
    Column("warehouseId", UUID, nullable=False),
    Column("productId", UUID, nullable=False),
    Column("period", Date, nullable=False),
    Column("recordedAt", DateTime, nullable=False, server_default=text("CURRENT_TIMESTAMP")),
    # the late movement's ledger group and contribution (20261207001400): +1 a new row, -1 an old one
    Column("movementId", UUID),
    Column("type", String(50)),
    Column("fromWarehouseId", UUID),
    Column("toWarehouseId", UUID),
    Column("quantity", Numeric(15, 3)),
    Column("sign", SmallInteger),
    Index("idx_stock_seal_breaks_org", "organizationId"),
)

# --- Platform tables (not the ERP's): audit archival ----------------------------------------
# Created by migrations/versions/20261125120400_audit_archive.py; see docs/audit.md.

# One row per archived Parquet file: normally one per (organization, month); a month archived in
# pieces (rows older than `--before` in the middle of it, or late rows) gets one more file per piece.
# Each organization's rows (NULL = the global rows) form a hash chain: `prevHash` is the hash of the
# organization's previous manifest (`chainPosition` - 1), `hash` covers every field but `restoredAt`.
# Append-only since 20261206200500 (a trigger; the jobs login has SELECT and INSERT): a restore adds a
# link (`action` 'restore', `restoresId`) instead of setting `restoredAt`.
audit_log_archives = Table(
    "audit_log_archives",
    metadata,
    _id(),
    Column("organizationId", UUID),  # no foreign key: the archive outlives a deleted organization
    Column("year", Integer, nullable=False),
    Column("month", Integer, nullable=False),
    Column("path", Text, nullable=False),  # relative to ARCHIVE_URL; unique among archive links
    Column("rowCount", BigInteger, nullable=False),
    Column("minCreatedAt", DateTime, nullable=False),
    Column("maxCreatedAt", DateTime, nullable=False),
    Column("fileSha256", String(64), nullable=False),
    Column("contentChecksum", String(64), nullable=False),
    Column("chainPosition", Integer, nullable=False),
    Column("prevHash", String(64), unique=True),  # unique: a chain cannot fork, even if two writers raced
    Column("hash", String(64), nullable=False, unique=True),
    Column("archivedAt", DateTime, nullable=False),
    Column("runKey", Text, nullable=False),
    Column("restoredAt", DateTime),  # set by restores before 20261206200500; now a restore adds a link
    # append-only (a trigger): 'archive' links own a file; a 'restore' link names the manifest it restored
    Column("action", Text, nullable=False, server_default=text("'archive'")),
    Column("restoresId", UUID, ForeignKey("audit_log_archives.id"), unique=True),
    CheckConstraint("month BETWEEN 1 AND 12", name="audit_log_archives_month_check"),
    CheckConstraint("action IN ('archive', 'restore')", name="audit_log_archives_action_check"),
    CheckConstraint(
        """(action = 'restore') = ("restoresId" IS NOT NULL)""", name="audit_log_archives_restore_link_check"
    ),
    CheckConstraint('"rowCount" > 0', name="audit_log_archives_row_count_check"),
    CheckConstraint('"chainPosition" >= 1', name="audit_log_archives_chain_position_check"),
    Index("idx_audit_log_archives_org_month", "organizationId", "year", "month"),
    Index("audit_log_archives_path_key", "path", unique=True, postgresql_where=text("action = 'archive'")),
)

# --- Platform tables (not the ERP's): database maintenance ------------------------------------
# Created by migrations/versions/20261205160000_database_maintenance.py; see docs/maintenance.md.
# Written hourly by the `database_health` asset (prometric_pipelines/maintenance/health.py): one
# snapshot row and, per snapshot, the tables, indexes and long-running queries it saw. Database-wide
# facts, not tenant data: no "organizationId"; the jobs role reads them (the dashboards' admin page
# does so for owners), the reader role does not (it reads tenant data only, docs/security.md).


def _snapshot_id() -> Column:
    """The snapshot a health row belongs to (first column of the child tables' keys)."""
    return Column(
        "snapshotId", UUID, ForeignKey("maintenance_health_snapshots.id", ondelete="CASCADE"), primary_key=True
    )


maintenance_health_snapshots = Table(
    "maintenance_health_snapshots",
    metadata,
    _id(),
    Column("takenAt", DateTime, nullable=False),
    Column("runKey", Text, nullable=False),  # the Dagster run id, or "cli-…"
    Column("serverVersion", Text, nullable=False),
    Column("databaseName", Text, nullable=False),
    Column("databaseBytes", BigInteger, nullable=False),
    # this database's connections by state (pg_stat_activity), and the server's in all
    Column("connections", Integer, nullable=False),
    Column("activeConnections", Integer, nullable=False),
    Column("idleConnections", Integer, nullable=False),
    Column("idleInTransactionConnections", Integer, nullable=False),
    Column("serverConnections", Integer, nullable=False),
    Column("maxConnections", Integer, nullable=False),
    Column("longRunningSeconds", Integer, nullable=False),  # the threshold the snapshot used
    Column("longRunningQueries", Integer, nullable=False),
    Index("idx_maintenance_health_snapshots_taken", "takenAt"),
)

# The seed's "table sizes" query plus pg_stat_user_tables' tuple and maintenance counters.
maintenance_health_tables = Table(
    "maintenance_health_tables",
    metadata,
    _snapshot_id(),
    Column("schemaName", Text, primary_key=True),
    Column("tableName", Text, primary_key=True),
    Column("totalBytes", BigInteger, nullable=False),  # pg_total_relation_size: heap + TOAST + indexes
    Column("tableBytes", BigInteger, nullable=False),  # pg_table_size: heap + TOAST
    Column("indexBytes", BigInteger, nullable=False),
    Column("liveTuples", BigInteger, nullable=False),
    Column("deadTuples", BigInteger, nullable=False),
    Column("modificationsSinceAnalyze", BigInteger, nullable=False),
    Column("seqScans", BigInteger, nullable=False),
    Column("indexScans", BigInteger),
    Column("lastVacuum", DateTime),
    Column("lastAutovacuum", DateTime),
    Column("lastAnalyze", DateTime),
    Column("lastAutoanalyze", DateTime),
)

# The seed's "index usage" query, with sizes and whether an unused index can be dropped.
maintenance_health_indexes = Table(
    "maintenance_health_indexes",
    metadata,
    _snapshot_id(),
    Column("schemaName", Text, primary_key=True),
    Column("indexName", Text, primary_key=True),
    Column("tableName", Text, nullable=False),
    Column("indexBytes", BigInteger, nullable=False),
    Column("indexScans", BigInteger, nullable=False),
    Column("tuplesRead", BigInteger, nullable=False),
    Column("tuplesFetched", BigInteger, nullable=False),
    Column("isUnique", Boolean, nullable=False),
    Column("isPrimary", Boolean, nullable=False),
    Column("isValid", Boolean, nullable=False),
    # never scanned since the statistics were reset, and enforcing no constraint: a candidate to drop
    Column("unused", Boolean, nullable=False),
)

# Queries of this database running longer than the snapshot's threshold.
maintenance_health_queries = Table(
    "maintenance_health_queries",
    metadata,
    _snapshot_id(),
    Column("pid", Integer, primary_key=True),
    Column("userName", Text),
    Column("applicationName", Text),
    Column("state", Text),
    Column("waitEventType", Text),
    Column("waitEvent", Text),
    Column("queryStart", DateTime),
    Column("durationSeconds", Numeric(12, 3), nullable=False),
    Column("query", Text),  # the first 1,000 characters; not shown on the dashboards (may hold any tenant's values)
)

# --- Platform tables: alerts ---------------------------------------------------------------
# Created by migrations/versions/20261207000800_alerts.py; see docs/alerts.md. Written by
# prometric_pipelines/alerts/.

# One alert per (organization, workspace — NULL for organization-wide ones, kind, subject, day): re-runs
# upsert on that key. Two partial unique indexes keep a NULL workspace from being distinct (PostgreSQL 14
# has no NULLS NOT DISTINCT).
alerts = Table(
    "alerts",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("workspaceId", UUID, ForeignKey("workspaces.id", ondelete="CASCADE")),
    Column("kind", String(20), nullable=False),  # anomaly, kpi_target, freshness, run_failure
    Column("subject", String(255), nullable=False),  # metric name, KPI name, asset key or job name
    Column("day", Date, nullable=False),
    Column("value", Numeric),
    Column("baseline", Numeric),
    Column("severity", String(10), nullable=False),  # info, warning, severe
    Column("explanation", Text, nullable=False),
    Column("explanationRu", Text, nullable=False),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("createdAt", DateTime, nullable=False, server_default=text("CURRENT_TIMESTAMP")),
    Column("updatedAt", DateTime, nullable=False, server_default=text("CURRENT_TIMESTAMP")),
    Column("acknowledgedBy", UUID, ForeignKey("users.id", ondelete="SET NULL")),
    Column("acknowledgedAt", DateTime),
    CheckConstraint("kind IN ('anomaly', 'kpi_target', 'freshness', 'run_failure')", name="alerts_kind_check"),
    CheckConstraint("severity IN ('info', 'warning', 'severe')", name="alerts_severity_check"),
    Index(
        "alerts_workspace_key",
        "organizationId",
        "workspaceId",
        "kind",
        "subject",
        "day",
        unique=True,
        postgresql_where=text('"workspaceId" IS NOT NULL'),
    ),
    Index(
        "alerts_organization_key",
        "organizationId",
        "kind",
        "subject",
        "day",
        unique=True,
        postgresql_where=text('"workspaceId" IS NULL'),
    ),
    Index("idx_alerts_org_day", "organizationId", "day"),
)

# What was delivered to whom, per alert and channel (in_app, email): a re-run delivers nothing twice.
alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    _id(),
    Column("organizationId", UUID, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("alertId", UUID, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("userId", UUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("notificationId", UUID),
    Column("deliveredAt", DateTime, nullable=False, server_default=text("CURRENT_TIMESTAMP")),
    CheckConstraint("channel IN ('in_app', 'email')", name="alert_deliveries_channel_check"),
    UniqueConstraint("alertId", "userId", "channel"),
    Index("idx_alert_deliveries_user", "userId", "deliveredAt"),
)

# Business modules, used to group the tables in the Dagster asset graph.
TABLE_MODULES: dict[str, tuple[str, ...]] = {
    "accounts": ("users", "refresh_tokens", "email_verifications"),
    "organization": ("organizations", "workspaces", "workspace_users"),
    "hr": ("departments", "employees", "attendance", "leaves", "payroll"),
    "crm": ("customers", "customer_contacts", "deals", "deal_products", "deal_activities"),
    "inventory": ("product_categories", "products", "warehouses", "inventory", "stock_movements"),
    "sales": ("orders", "order_items"),
    "production": ("production_orders", "work_orders", "production_bom"),
    "finance": ("invoices", "invoice_items", "payments", "expenses"),
    "tasks": ("projects", "tasks", "task_comments"),
    "collaboration": ("calendar_events", "documents", "notifications"),
    "analytics": ("metrics", "kpi_definitions"),
    "audit": ("audit_logs",),
}

# The ERP's own tables (the seed's and `projects`), in foreign-key order: what generated data,
# row counts and checksums cover; platform tables (PLATFORM_TABLES, later job tables) are not ERP data.
ERP_TABLES: tuple[str, ...] = tuple(
    t.name for t in metadata.sorted_tables if any(t.name in names for names in TABLE_MODULES.values())
)

# Tables the platform adds for its own jobs (security_*, payroll_*, stock_* …): everything else.
PLATFORM_TABLES: tuple[str, ...] = tuple(t.name for t in metadata.sorted_tables if t.name not in ERP_TABLES)

# Platform tables whose rows hang off ERP rows by a foreign key (e.g. payroll_items → payroll): replacing
# the ERP data (the generator's load into empty tables, `--reset`) empties them in the same TRUNCATE.
DERIVED_TABLES: tuple[str, ...] = tuple(
    t.name
    for t in metadata.sorted_tables
    if t.name in PLATFORM_TABLES and any(fk.column.table.name in ERP_TABLES for fk in t.foreign_keys)
)
