export { TestDatabase } from "@bulwark/database/testing"
