// Higress traffic-tag README's (README_EN.md) configuration examples, as YAML text exactly as printed there.
export const EXAMPLE_1 = `
defaultTagKey: x-mse-tag
defaultTagVal: base
conditionGroups:
  - headerName: x-mse-tag
    headerValue: gray
    logic: and
    conditions:
      - conditionType: header
        key: role
        operator: in
        value:
          - user
          - viewer
          - editor
      - conditionType: parameter
        key: foo
        operator: equal
        value:
          - bar
`;
export const EXAMPLE_2 = `
# The total weight is 100; the 40 weight not configured in the example will not add a header.
weightGroups:
  - headerName: x-mse-tag
    headerValue: gray
    weight: 30
  - headerName: x-mse-tag
    headerValue: blue
    weight: 30
`;
