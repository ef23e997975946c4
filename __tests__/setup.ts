import { Testing } from "cdktf";
// Type declarations for cdktf's jest matchers.
import "cdktf/lib/testing/adapters/jest";

// Registers cdktf's matchers (toHaveResourceWithProperties, …) with jest.
Testing.setupJest();
